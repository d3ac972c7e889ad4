/**
 * The limit of the stack: a bare Fastify app answering `GET /v1/ping` with the same JSON body Keyward
 * sends, with no auth, limits, usage or logging. Every Keyward row is compared with this one.
 *
 *   PORT=3999 BENCH_BODY='{"data":{…}}' node --import tsx bench/baseline-server.ts
 */
import Fastify from 'fastify';

const body = JSON.parse(process.env.BENCH_BODY ?? '{"data":{"ok":true}}') as unknown;
const port = Number(process.env.PORT ?? 3999);

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ data: { ok: true } }));
app.get('/v1/ping', async () => body);
// A bare POST with a JSON body (Fastify's own parser) answering the same body: what a POST costs the
// stack before any verification work, for comparing the verify row with.
app.post('/v1/keys/verify', async (request) => (request.body ? body : null));

await app.listen({ port, host: '127.0.0.1' });
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
