/** The rate-limit headers: limit, remaining, reset in epoch seconds, and Retry-After when limited. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { setRateLimitHeaders } from './auth.ts';

const NOW = 1_800_000_000_000;
const state = { key: 'k', limit: 100, remaining: 7, resetAt: NOW + 30_500 };

async function answer(limited: boolean) {
  const app = Fastify();
  app.get('/', (_request, reply) => {
    reply.header('content-language', 'en'); // headers set before stay
    setRateLimitHeaders(reply, state, NOW, limited);
    reply.send({ ok: true });
  });
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return res;
}

describe('rate-limit headers', () => {
  it('limit, remaining, reset in seconds, and Retry-After (rounded up) when limited', async () => {
    const limited = await answer(true);
    expect(limited.headers).toMatchObject({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-reset': String(Math.ceil((NOW + 30_500) / 1000)),
      'retry-after': '31',
      'content-language': 'en',
    });
    expect(limited.json()).toEqual({ ok: true });
  });

  it('no Retry-After on an answer that was let through', async () => {
    const allowed = await answer(false);
    expect(allowed.headers['x-ratelimit-remaining']).toBe('7');
    expect(allowed.headers['retry-after']).toBeUndefined();
  });
});
