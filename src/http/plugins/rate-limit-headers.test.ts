/** The rate-limit headers, written into Fastify's header object or, without its symbol, by reply.header. */
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { rateLimitHeaderWriter, setRateLimitHeaders } from './auth.ts';

const { kReplyHeaders } = createRequire(import.meta.url)('fastify/lib/symbols.js') as {
  kReplyHeaders: unknown;
};
const NOW = 1_800_000_000_000;
const state = { key: 'k', limit: 100, remaining: 7, resetAt: NOW + 30_500 };

async function answer(write: typeof setRateLimitHeaders, limited: boolean) {
  const app = Fastify();
  app.get('/', (_request, reply) => {
    reply.header('content-language', 'en'); // headers set before stay
    write(reply, state, NOW, limited);
    reply.send({ ok: true });
  });
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return res;
}

describe('rate-limit headers', () => {
  it("the installed Fastify keeps a reply's headers under the symbol the fast path uses", () => {
    expect(typeof kReplyHeaders).toBe('symbol');
  });

  for (const [name, write] of [
    ['through the header object', setRateLimitHeaders],
    ['through reply.header (no symbol)', rateLimitHeaderWriter(undefined)],
  ] as const) {
    it(`${name}: limit, remaining, reset in seconds, and Retry-After when limited`, async () => {
      const limited = await answer(write, true);
      expect(limited.headers).toMatchObject({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '7',
        'x-ratelimit-reset': String(Math.ceil((NOW + 30_500) / 1000)),
        'retry-after': '31',
        'content-language': 'en',
      });
      expect(limited.json()).toEqual({ ok: true });
      const allowed = await answer(write, false);
      expect(allowed.headers['x-ratelimit-remaining']).toBe('7');
      expect(allowed.headers['retry-after']).toBeUndefined();
    });
  }
});
