import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeywardError } from '../../core/errors.ts';
import { registerDeadline } from './deadline.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the per-request deadline', () => {
  const app = Fastify();
  let base = '';
  beforeAll(async () => {
    registerDeadline(app, 150);
    app.setErrorHandler((err, _request, reply) =>
      reply.code(503).send({ code: isKeywardError(err) ? err.code : 'other' }),
    );
    app.get('/slow', async () => {
      await sleep(1_000);
      return { late: true };
    });
    app.post('/slow', async () => {
      await sleep(1_000);
      return { late: true };
    });
    app.post('/fast', async (request) => ({ echo: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => app.close());

  // Over a real socket: a request with a body closes its stream once the body is read, which is
  // what turned Fastify's own handlerTimeout off for POSTs.
  it('answers a slow request with a body 503 ERR_UNAVAILABLE once the deadline passes', async () => {
    const started = Date.now();
    const res = await fetch(`${base}/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 'ERR_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('answers a slow request without a body the same way', async () => {
    const res = await fetch(`${base}/slow`);
    expect(res.status).toBe(503);
  });

  it('leaves requests answered in time alone', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/fast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ i }),
      });
      expect(await res.json()).toEqual({ echo: { i } });
    }
    await sleep(200);
  });
});
