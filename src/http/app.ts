/** buildApp(deps): the Fastify application, never listening by itself (serve and tests decide). */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { MAX_ID_LENGTH } from '../core/ids.ts';
import { onClientError } from './client-errors.ts';
import type { AppDeps } from './deps.ts';
import { registerMetrics } from './metrics.ts';
import { nulIssue } from './nul-text.ts';
import { documentTransform, routeTransform } from './openapi.ts';
import { registerBearerAuth, unknownRouteRateLimit } from './plugins/auth.ts';
import { registerDeadline } from './plugins/deadline.ts';
import { type Drain, registerDrain } from './plugins/drain.ts';
import { frameAncestorsPolicy, registerEmbedding } from './plugins/embedding.ts';
import { onError, registerErrorHandling } from './plugins/errors.ts';
import { registerResponseObserver } from './plugins/observe.ts';
import { RouteMetrics } from './route-metrics.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { managementRoutes } from './routes/api/index.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { portalRoutes } from './routes/portal.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { boardRoutes } from './routes/v1/boards.ts';
import { pingRoutes } from './routes/v1/ping.ts';
import { postRoutes } from './routes/v1/posts.ts';
import { verifyRoutes } from './routes/v1/verify.ts';
import { voteRoutes } from './routes/v1/votes.ts';
import { webhookRoutes } from './routes/v1/webhooks.ts';
import { compileSerializer } from './serializer.ts';

export const BODY_LIMIT = 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Graceful shutdown: `serve` starts it before closing (plugins/drain.ts). */
    drain: Drain;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const framePolicy = frameAncestorsPolicy(config.frameAncestors);
  const app = Fastify({
    // No Fastify logger: it would build (and validate) a child logger per request and print URLs, where
    // a mistaken key may sit in a query string. Our few log lines go to deps.logger (errors plugin).
    logger: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    // Keep the request id out of anything a client could spoof.
    requestIdHeader: false,
    // Routes accept ids up to 200 characters; a longer one is 414 ERR_URI_TOO_LONG (frameworkErrors).
    routerOptions: { maxParamLength: MAX_ID_LENGTH },
    // Bad percent-encoding and over-long ids go through the same error mapping as everything else;
    // they are answered before any hook runs, so the frame policy is set here as well.
    frameworkErrors: (err, _request, reply) =>
      onError(deps.logger, deps.outages, err, reply.header('content-security-policy', framePolicy)),
    // What Node's parser refuses (431, 408, malformed requests) is answered with the envelope too.
    clientErrorHandler: onClientError,
    // Slow clients: the headers within KEYWARD_HEADERS_TIMEOUT, the whole request (body included)
    // within KEYWARD_REQUEST_TIMEOUT; Node checks every second so the limits hold to about a second.
    requestTimeout: config.requestTimeout,
    http: { headersTimeout: config.headersTimeout, connectionsCheckingInterval: 1_000 },
    // Shutdown answers come from the drain plugin (the envelope, Retry-After), not Fastify's default.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compileSerializer);
  // JSON only: Fastify's built-in text/plain parser would let a plain-text body reach validation (422)
  // instead of being refused as the wrong media type (415).
  app.removeContentTypeParser('text/plain');
  // An empty body sent as JSON (`curl -X POST -H 'content-type: application/json'`) means "no body",
  // as for actions like POST …/token; anything else goes through Fastify's own safe JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    // A NUL in a string cannot be stored by PostgreSQL (and is never meaningful text): refused up front.
    if ((body as string).includes('\\u0000')) {
      return parseJson(request, body as string, (err, value) =>
        err ? done(err) : done(nulIssue(value) ?? null, value),
      );
    }
    return parseJson(request, body as string, done);
  });
  const routeMetrics = new RouteMetrics();
  const drain = registerDrain(app);
  registerDeadline(app, config.requestDeadline);
  app.decorate('drain', drain);
  registerEmbedding(app, config.frameAncestors);
  registerErrorHandling(
    app,
    routeMetrics.forRoute('unmatched'),
    deps.logger,
    deps.outages,
    unknownRouteRateLimit(deps),
  );
  registerResponseObserver(app, deps, routeMetrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keyward API',
        version: '1.0.0',
        description: 'Feedback boards API, authenticated with API keys or private-integration tokens.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key (spk_…) or integration token (spi_…)',
          },
          operatorToken: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An operator token (kwo_…, or KEYWARD_SERVICE_TOKEN / KEYWARD_ADMIN_TOKEN): verify access for POST /v1/keys/verify, admin access for /admin/v1',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'kw_session',
            description: 'Dashboard session; state-changing calls also send x-csrf-token',
          },
        },
      },
      tags: [
        { name: 'public', description: 'Credential checks' },
        ...(config.catalogue.demoApi
          ? [
              { name: 'boards', description: 'Feedback boards (the demo product API)' },
              { name: 'posts', description: 'Posts on boards, with a status workflow' },
              { name: 'votes', description: 'Votes on posts, one per voter' },
            ]
          : []),
        {
          name: 'webhooks',
          description: 'Webhook endpoints of private integrations (integration tokens only)',
        },
        { name: 'management', description: 'Dashboard API (session cookie + x-csrf-token)' },
        { name: 'admin', description: "The operator's admin API (an admin operator token)" },
      ],
    },
    // Security, operationIds, response headers and descriptions, servers (src/http/openapi.ts): built
    // once, when the document is first asked for. servers is read then, after `serve` knows its port.
    transform: routeTransform,
    transformObject: documentTransform({ publicUrl: () => config.publicUrl }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerSystemRoutes(app, deps, drain);
  registerMetrics(app, deps, routeMetrics);

  await app.register(
    async (v1) => {
      // Bearer authentication for the routes of this context that declare a scope, and only them.
      await registerBearerAuth(v1, deps);
      await v1.register(pingRoutes);
      // The demo API (feedback boards) exists only while the catalogue keeps it (`demo_api`).
      if (config.catalogue.demoApi) {
        await v1.register(boardRoutes(deps));
        await v1.register(postRoutes(deps));
        await v1.register(voteRoutes(deps));
      }
      await v1.register(verifyRoutes(deps));
      await v1.register(webhookRoutes(deps));
    },
    { prefix: '/v1' },
  );
  await app.register(managementRoutes(deps), { prefix: '/api' });
  await app.register(adminRoutes(deps), { prefix: '/admin/v1' });
  await app.register(portalRoutes(deps));
  // Dashboard last: its catch-all GET serves the single-page app for every path nothing else claims.
  await app.register(dashboardRoutes, { logger: deps.logger, productName: config.productName });
  return app;
}
