/**
 * The dashboard inside an operator's page (KEYWARD_FRAME_ANCESTORS): every answer says who may frame
 * it, and the app knows whether the session cookie has to work in a third-party iframe.
 */
import type { FastifyInstance } from 'fastify';

export interface Embedding {
  /** Origins other than Keyward's own that may show it in an iframe. */
  frameAncestors: readonly string[];
  /** Whether any may: the session cookie is then `SameSite=None; Secure; Partitioned`. */
  framed: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    embedding: Embedding;
  }
}

/** The policy every answer carries: `frame-ancestors 'self'`, then the allowed origins. */
export const frameAncestorsPolicy = (origins: readonly string[]): string =>
  ["frame-ancestors 'self'", ...origins].join(' ');

export function registerEmbedding(app: FastifyInstance, frameAncestors: readonly string[]): void {
  app.decorate('embedding', { frameAncestors, framed: frameAncestors.length > 0 });
  const policy = frameAncestorsPolicy(frameAncestors);
  // On every answer, not just pages: an error or a JSON document can be framed too. A policy a library
  // sets for its own answers keeps its other directives; its frame-ancestors gives way to ours.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const own = reply.getHeader('content-security-policy');
    reply.header('content-security-policy', typeof own === 'string' && own ? merged(own, policy) : policy);
    done(null, payload);
  });
}

function merged(own: string, policy: string): string {
  const others = own
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && !/^frame-ancestors\b/i.test(d));
  return [...others, policy].join('; ');
}
