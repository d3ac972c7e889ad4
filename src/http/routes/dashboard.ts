/**
 * The dashboard at `/`: web/dist served as static files (hashed assets cached for a year, index.html
 * revalidated every time and branded with the product name), and index.html for the app's own paths.
 */
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { brandIndex, indexPageReader } from './dashboard-index.ts';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths the dashboard never answers for: the APIs, docs, health and metrics keep their own 404. */
const RESERVED = /^\/(?:v1|api|admin|docs|healthz|readyz|metrics)(?:[/?]|$)|^\/openapi\./;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Keyward</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build</code> in Keyward's folder (<code>npm start</code> builds it when it is missing), then reload this page. <code>keyward serve</code> never builds it.</p>
<p>The API works meanwhile: see <a href="/docs">/docs</a>.</p></body></html>`;

export interface DashboardOptions {
  /** The built dashboard (default: web/dist of this checkout). */
  root?: string;
  /** Where to warn that the dashboard is not built. */
  logger?: FastifyBaseLogger | undefined;
  /** Shown instead of "Keyward" in the dashboard's header and title (KEYWARD_PRODUCT_NAME). */
  productName?: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` a URL path names, if it is one; never a path outside `root`. */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.endsWith('/')) return undefined;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root)) return undefined;
  return (await isFile(full)) ? full.slice(root.length) : undefined;
}

// Browsers ask for pages with text/html; API clients and scripts get the JSON 404 for unknown paths.
const wantsPage = (request: FastifyRequest, path: string) =>
  path === '/' || (request.headers.accept ?? '').includes('text/html');

export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  const root = resolve(options.root ?? DASHBOARD_DIST) + sep;
  const assets = join(root, 'assets') + sep;
  const index = join(root, 'index.html');
  if (!(await isFile(index))) options.logger?.warn({ root }, 'the dashboard is not built: run npm run build');

  // `serve: false`: no routes of its own, only `reply.sendFile` with our headers for our one route.
  await app.register(fastifyStatic, {
    serve: false,
    cacheControl: false,
    setHeaders: (res, filePath) =>
      res.setHeader('cache-control', filePath.startsWith(assets) ? IMMUTABLE : REVALIDATE),
  });

  const productName = options.productName ?? 'Keyward';
  const readIndex = indexPageReader(index, productName);
  const notBuilt = brandIndex(NOT_BUILT, productName);

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await readIndex();
    if (!page)
      return reply.code(503).type('text/html; charset=utf-8').header('retry-after', '5').send(notBuilt);
    reply.type('text/html; charset=utf-8').header('cache-control', REVALIDATE).header('etag', page.etag);
    if (request.headers['if-none-match'] === page.etag) return reply.code(304).send();
    return reply.send(page.html);
  };

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (RESERVED.test(path)) return reply.callNotFound();
    const file = await fileFor(root, path);
    if (file === 'index.html') return sendIndex(request, reply);
    if (file) return reply.sendFile(file, root);
    // A missing script or image is a 404, not the page (which the browser would try to run).
    if (extname(path) !== '' || !wantsPage(request, path)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
};
