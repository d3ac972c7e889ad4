/**
 * Credential operations: keys minted fresh, used a few times and revoked (each first use misses the
 * credential cache), revoked and unknown secrets (refused), a tiny rate limit (429) and a read key
 * trying to write (403). Refused authentications stay within the FailureBudget.
 */
import { checksumOf, generateSecret } from '../../src/core/secrets.ts';
import { dataOf } from './client.ts';
import { listBoards } from './feedback-ops.ts';
import { any, between, type Op, type OpContext, session } from './op-context.ts';
import { LIMITS } from './world.ts';

const FRESH_KEY_USES = [2, 6] as const;
/** 32 base62 characters and a 6-character checksum that is wrong for them. */
const MALFORMED_BODY = `spk_${'A'.repeat(32)}`;
const MALFORMED = `${MALFORMED_BODY}${checksumOf(MALFORMED_BODY) === '000000' ? '000001' : '000000'}`;

const ping = (c: OpContext, op: string, bearer: string, expect: readonly number[]) =>
  c.client.send({ op, method: 'GET', path: '/v1/ping', auth: { bearer }, expect });

const mintKey: Op = async (c) => {
  c.world.minting++;
  try {
    const reply = await c.client.send({
      op: 'mint-key',
      method: 'POST',
      path: '/api/keys',
      auth: session(c),
      body: { name: c.world.nextName('fresh key'), scope: any(['read', 'read:write']) },
      expect: [201],
    });
    const key = dataOf<{ id: string; secret: string }>(reply);
    if (reply.status === 201 && key) {
      c.world.minted++;
      c.world.fresh.push({ id: key.id, secret: key.secret, usesLeft: between(FRESH_KEY_USES), inFlight: 0 });
    }
  } finally {
    c.world.minting--;
  }
};

const revokeKey = async (c: OpContext) => {
  const key = c.world.toRevoke.shift()!;
  const reply = await c.client.send({
    op: 'revoke-key',
    method: 'POST',
    path: `/api/keys/${key.id}/revoke`,
    auth: session(c),
    expect: [200],
  });
  if (reply.status === 200) c.world.rememberRevoked(key.secret);
};

/** One step of a fresh key's life: revoke a spent key, else use one, else mint one. */
export const freshKey: Op = async (c) => {
  if (c.world.toRevoke.length > 0) return revokeKey(c);
  const key = c.world.claimFreshUse();
  if (key) {
    try {
      const path = any(['/v1/ping', '/v1/boards']);
      return await c.client.send({
        op: 'use-fresh-key',
        method: 'GET',
        path,
        auth: { bearer: key.secret },
        expect: [200],
      });
    } finally {
      c.world.finishFreshUse(key);
    }
  }
  if (c.world.minting < LIMITS.freshKeysMinting) return mintKey(c);
  return listBoards(c);
};

/** A revoked key is refused at once, on every request after the revoke answered. */
export const useRevokedKey: Op = (c) => {
  const secret = c.world.revoked.length > 0 ? any(c.world.revoked) : undefined;
  if (!secret || !c.failures.take()) return listBoards(c);
  return ping(c, 'use-revoked-key', secret, [401]);
};

/** Well formed, right checksum, never issued: a database miss. */
export const unknownKey: Op = (c) => {
  if (!c.failures.take()) return listBoards(c);
  return ping(c, 'unknown-key', generateSecret('spk_'), [401]);
};

/** Wrong checksum: refused without a database lookup. */
export const malformedKey: Op = (c) => {
  if (!c.failures.take()) return listBoards(c);
  return ping(c, 'malformed-key', MALFORMED, [401]);
};

/** A 20/m key: mostly 429 with the rate-limit headers. */
export const limitedKey: Op = (c) => ping(c, 'limited-key', c.p.limitedKey.secret, [200, 429]);

export const scopeDenied: Op = (c) =>
  c.client.send({
    op: 'scope-denied',
    method: 'POST',
    path: '/v1/boards',
    auth: { bearer: c.p.readKey.secret },
    body: { name: 'never made' },
    expect: [403],
  });
