/**
 * Session authentication for the management API: routes declare `config.role`; the cookie names a
 * server-side session, state-changing requests must echo its CSRF token, roles are checked here.
 */
import cookie, { type CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ActiveSession, csrfMatches, SESSION_COOKIE } from '../../accounts/sessions.ts';
import { roleAtLeast } from '../../accounts/users.ts';
import type { Role } from '../../storage/schema.ts';
import type { AppDeps } from '../deps.ts';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role a management route requires; `public` needs no session; `session` any signed-in user. */
    role?: Role | 'public' | 'session';
  }
  interface FastifyRequest {
    session: ActiveSession | undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * No `Origin` (curl, scripts, same-origin navigations of old browsers), or the request's own origin.
 * The frame ancestors (KEYWARD_FRAME_ANCESTORS) are deliberately not accepted: a call the dashboard
 * makes inside an operator's iframe comes from the dashboard's document, so it names Keyward's own
 * origin; the operator's page never writes here itself (portal links are opened, not posted), and
 * accepting its origin would let any script on it sign the frame in to another account (login CSRF).
 */
function originAllowed(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

/**
 * Lax by default (Secure over https). Inside an operator's iframe the dashboard is a third-party
 * frame, where browsers send only a `SameSite=None; Secure` cookie, and — with third-party cookies
 * blocked — only one that is also `Partitioned` (CHIPS: kept apart per top-level site). Browsers
 * accept Secure cookies over plain http on loopback only; anywhere else embedding needs https.
 */
export function sessionCookieOptions(framed: boolean, secure: boolean): CookieSerializeOptions {
  return framed
    ? { path: '/', httpOnly: true, sameSite: 'none', secure: true, partitioned: true }
    : { path: '/', httpOnly: true, sameSite: 'lax', secure };
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  secure: boolean,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    ...sessionCookieOptions(reply.server.embedding.framed, secure),
    expires: new Date(expiresAt),
  });
}

/** With the attributes it was set with: a Partitioned cookie is only replaced by a Partitioned one. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(
    SESSION_COOKIE,
    sessionCookieOptions(reply.server.embedding.framed, reply.request.protocol === 'https'),
  );
}

export async function registerSessionAuth(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('session', undefined);

  app.addHook('onRequest', async (request, reply) => {
    const role = request.routeOptions.config.role;
    if (!role) return;
    // Login CSRF and cross-site writes: a browser names the page that sent a request in `Origin`;
    // sign-in and every state-changing call must come from the dashboard's own origin.
    if (!SAFE_METHODS.has(request.method) && !originAllowed(request)) {
      return sendError(reply, 'ERR_FORBIDDEN', 'This request came from another site (Origin header).');
    }
    request.session = await deps.sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (role === 'public') return;
    const session = request.session;
    if (!session) return sendError(reply, 'ERR_UNAUTHENTICATED', 'Sign in first (POST /api/session).');
    if (
      !SAFE_METHODS.has(request.method) &&
      !csrfMatches(session.csrfToken, request.headers['x-csrf-token'] as string | undefined)
    ) {
      return sendError(
        reply,
        'ERR_FORBIDDEN',
        'Missing or wrong x-csrf-token header (take it from GET /api/session).',
      );
    }
    if (role !== 'session' && !roleAtLeast(session.user.role, role)) {
      return sendError(reply, 'ERR_FORBIDDEN', `This needs the ${role} role; you are ${session.user.role}.`, {
        required_role: role,
      });
    }
  });
}
