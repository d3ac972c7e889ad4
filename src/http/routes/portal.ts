/**
 * `GET /portal/<token>`: a one-time link from the admin API. Opening it signs the person in to its
 * workspace and sends them to the dashboard; a used, expired or unknown link is 410 — a page for a
 * browser, the error envelope for anything else.
 */
import cookie from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { redeemPortalLink } from '../../portal/links.ts';
import type { AppDeps } from '../deps.ts';
import { sendError } from '../plugins/errors.ts';
import { setSessionCookie } from '../plugins/session.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a used or expired link shows: nothing to do here but go back to the product. */
export function linkGonePage(productName: string): string {
  const name = escapeHtml(productName);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Link expired · ${name}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>This link has expired</h1>
<p>Links to API settings work once and for 5 minutes. Go back to ${name} and open the API settings
again to get a new one.</p></body></html>`;
}

export const portalRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    // Cookies are registered per plugin (the management API has its own): this one only sets one.
    await app.register(cookie);
    app.get(
      '/portal/:token',
      {
        schema: { hide: true, params: z.object({ token: z.string().max(200) }) },
      },
      async (request, reply) => {
        const redeemed = await redeemPortalLink(deps.storage, request.params.token, deps.clock.now());
        // Never cached, never sent on as a Referer: the URL held a secret until a moment ago.
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
        if (!redeemed) {
          if ((request.headers.accept ?? '').includes('text/html'))
            return reply
              .code(410)
              .type('text/html; charset=utf-8')
              .send(linkGonePage(deps.config.productName));
          return sendError(reply, 'ERR_LINK_EXPIRED', 'This portal link was already used or has expired.');
        }
        const { token, session } = await deps.sessions.start(redeemed.member, redeemed.backUrl);
        setSessionCookie(reply, token, session.expiresAt, request.protocol === 'https');
        return reply.redirect(redeemed.landing, 303);
      },
    );
  };
