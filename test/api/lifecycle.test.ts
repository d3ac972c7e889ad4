/**
 * Credential lifecycle through the management API, with a clock the tests move: integration tokens
 * (generate once, scopes, rotate now/later, expire, delete), API keys (revoke, expire, delete) and
 * the inactivity auto-expiry job.
 */
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { expireInactiveCredentials } from '../../src/jobs/inactivity-expiry.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { type Session, setupOwner, signIn } from '../support/session.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const OWNER = 'owner@acme.test';

interface Credential {
  id: string;
  status: string;
  scopes: string[];
  token: { start: string } | null;
  previous_token: { start: string; valid_until: string } | null;
}
interface Issued extends Credential {
  secret: string;
}
interface AuditEntry {
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { id: string | null };
}

let seq = 0;
const unique = (base: string) => `${base} ${process.pid}-${++seq}`;
const iso = (ms: number) => new Date(ms).toISOString();
/** What the dashboard shows of a secret: the 8 characters after the 4-character prefix. */
const startOf = (secret: string) => secret.slice(4, 12);

/** Shared by the suites below: the app of the describe and its owner's session. */
function useOwner(create: Parameters<typeof useApp>[0]) {
  const t = useApp(create);
  const state: { owner?: Session } = {};
  beforeAll(async () => {
    state.owner = await setupOwner(t(), OWNER);
  });
  const owner = () => state.owner!;
  const ping = (secret: string) => t().call(secret, 'GET', '/v1/ping');
  const auditOf = async (targetId: string) =>
    expectData<AuditEntry[]>(await owner().call('GET', `/api/audit-log?target_id=${targetId}&limit=100`));
  return { t, owner, ping, auditOf, resignIn: async () => (state.owner = await signIn(t(), OWNER)) };
}

function expectRejected(res: LightMyRequestResponse, code: string) {
  expectError(res, 401, code);
}

describeDialects('credential lifecycle', (create) => {
  describe('integration tokens', () => {
    const { t, owner, ping } = useOwner(create);

    async function integration(scopes: string[]): Promise<{ id: string; secret: string }> {
      const created = expectData<Credential>(
        await owner().call('POST', '/api/integrations', { name: unique('Zapier'), scopes }),
        201,
      );
      const token = expectData<Issued>(
        await owner().call('POST', `/api/integrations/${created.id}/token`),
        201,
      );
      return { id: created.id, secret: token.secret };
    }
    const rotate = (id: string, body: unknown) =>
      owner().call('POST', `/api/integrations/${id}/rotate`, body);
    const get = async (id: string) =>
      expectData<Credential>(await owner().call('GET', `/api/integrations/${id}`));

    async function board(): Promise<string> {
      const key = await t().key(owner().workspaceId, 'read:write');
      const res = await t().call(key.secret, 'POST', '/v1/boards', { name: unique('Ideas') });
      return expectData<{ id: string }>(res, 201).id;
    }

    it('the token is shown once; a second generate is a conflict; the token calls /v1', async () => {
      const created = expectData<Credential>(
        await owner().call('POST', '/api/integrations', {
          name: unique('Zapier'),
          scopes: ['posts:write', 'votes:read'],
        }),
        201,
      );
      expect(created.token).toBeNull();
      const token = expectData<Issued>(
        await owner().call('POST', `/api/integrations/${created.id}/token`),
        201,
      );
      expect(token.secret).toMatch(/^spi_[0-9A-Za-z]{38}$/);
      expect(token.token?.start).toBe(startOf(token.secret));
      const again = await owner().call('POST', `/api/integrations/${created.id}/token`);
      expectError(again, 409, 'ERR_CONFLICT');
      expect(again.body).not.toContain('spi_');
      expect((await owner().call('GET', `/api/integrations/${created.id}`)).body).not.toContain(token.secret);

      const me = expectData<{ credential: { id: string; kind: string; scopes: string[] } }>(
        await ping(token.secret),
      );
      expect(me.credential).toMatchObject({ id: created.id, kind: 'integration_token' });
      expect(me.credential.scopes).toEqual(['posts:write', 'votes:read']);
    });

    it('granular scopes: posts:write reads and writes posts but cannot touch boards', async () => {
      const b = await board();
      const { secret } = await integration(['posts:write', 'votes:read']);
      expectData(await t().call(secret, 'GET', `/v1/boards/${b}/posts`));
      const post = expectData<{ id: string }>(
        await t().call(secret, 'POST', `/v1/boards/${b}/posts`, { title: 'Dark mode' }),
        201,
      );
      expectData(await t().call(secret, 'GET', `/v1/posts/${post.id}/votes`));
      const write = expectError(
        await t().call(secret, 'POST', '/v1/boards', { name: unique('x') }),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
      expect(write.details).toEqual({ required: 'boards:write' });
      expectError(await t().call(secret, 'GET', '/v1/boards'), 403, 'ERR_SCOPE_INSUFFICIENT');
      expectError(
        await t().call(secret, 'POST', `/v1/posts/${post.id}/votes`, { voter: 'ann' }),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
    });

    it('changed scopes take effect on the very next request', async () => {
      const b = await board();
      const { id, secret } = await integration(['posts:read']);
      expectData(await t().call(secret, 'GET', `/v1/boards/${b}/posts`)); // cached now
      expectError(await t().call(secret, 'GET', '/v1/boards'), 403, 'ERR_SCOPE_INSUFFICIENT');

      const patched = expectData<Credential>(
        await owner().call('PATCH', `/api/integrations/${id}`, { scopes: ['boards:read'] }),
      );
      expect(patched.scopes).toEqual(['boards:read']);
      expectData(await t().call(secret, 'GET', '/v1/boards'));
      expectError(await t().call(secret, 'GET', `/v1/boards/${b}/posts`), 403, 'ERR_SCOPE_INSUFFICIENT');
    });

    it('a renamed or rescoped credential pings with its new name and scopes at once', async () => {
      const { id, secret } = await integration(['posts:read']);
      const before = expectData<{ credential: { name: string; scopes: string[] } }>(await ping(secret));
      expect(before.credential.scopes).toEqual(['posts:read']);
      expectData(
        await owner().call('PATCH', `/api/integrations/${id}`, { name: 'Renamed', scopes: ['boards:read'] }),
      );
      const res = await ping(secret);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(expectData(res)).toMatchObject({ credential: { name: 'Renamed', scopes: ['boards:read'] } });
    });

    it('rotate later: both tokens work through the grace, the old one announcing its end', async () => {
      const { id, secret: old } = await integration(['boards:read']);
      const start = t().clock.now();
      const r = expectData<Issued & { previous_valid_until: string }>(
        await rotate(id, { mode: 'later', grace_seconds: 3600 }),
      );
      const until = start + HOUR;
      expect(r.previous_valid_until).toBe(iso(until));
      expect(r.secret).toMatch(/^spi_/);
      expect(r.secret).not.toBe(old);

      const oldRes = await ping(old);
      expectData(oldRes);
      expect(oldRes.headers.sunset).toBe(new Date(until).toUTCString());
      expect(oldRes.headers['x-token-expires-at']).toBe(iso(until));
      const newRes = await ping(r.secret);
      expectData(newRes);
      expect(newRes.headers.sunset).toBeUndefined();
      expect(newRes.headers['x-token-expires-at']).toBeUndefined();
      expect((await get(id)).previous_token).toMatchObject({ start: startOf(old), valid_until: iso(until) });

      t().clock.set(until - 1);
      expectData(await ping(old));
      t().clock.set(until);
      expect((await ping(old)).statusCode).toBe(401);
      expectData(await ping(r.secret));
      expect((await get(id)).previous_token).toBeNull();
    });

    it('rotate now: the old token stops at once', async () => {
      const { id, secret: old } = await integration(['boards:read']);
      expectData(await ping(old));
      const r = expectData<Issued & { previous_valid_until: string }>(await rotate(id, { mode: 'now' }));
      expect(r.previous_valid_until).toBe(iso(t().clock.now()));
      expect((await ping(old)).statusCode).toBe(401);
      expectData(await ping(r.secret));
      expect((await get(id)).previous_token).toBeNull();
    });

    it('rotating twice inside the grace keeps one previous token: the oldest ends now', async () => {
      const { id, secret: first } = await integration(['boards:read']);
      const second = expectData<Issued>(await rotate(id, { mode: 'later', grace_seconds: 3600 })).secret;
      t().clock.advance(60_000);
      const r = expectData<Issued & { previous_valid_until: string }>(
        await rotate(id, { mode: 'later', grace_seconds: 3600 }),
      );
      expect(r.previous_valid_until).toBe(iso(t().clock.now() + HOUR));
      expect((await ping(first)).statusCode).toBe(401);
      expect((await ping(second)).headers['x-token-expires-at']).toBe(r.previous_valid_until);
      expectData(await ping(r.secret));
      const shown = await get(id);
      expect(shown.token?.start).toBe(startOf(r.secret));
      expect(shown.previous_token?.start).toBe(startOf(second));
    });

    it('the grace defaults to 7 days and may not exceed 30', async () => {
      const { id } = await integration(['boards:read']);
      const r = expectData<{ previous_valid_until: string }>(await rotate(id, { mode: 'later' }));
      expect(r.previous_valid_until).toBe(iso(t().clock.now() + 7 * DAY));
      expectError(await rotate(id, { mode: 'later', grace_seconds: 30 * 86_400 + 1 }), 422, 'ERR_VALIDATION');
      expectData(await rotate(id, { mode: 'later', grace_seconds: 30 * 86_400 }));
    });

    it('expire later: the token works until then, then ERR_KEY_EXPIRED', async () => {
      const { id, secret } = await integration(['boards:read']);
      const at = t().clock.now() + 2 * HOUR;
      const expired = expectData<Credential>(
        await owner().call('POST', `/api/integrations/${id}/expire`, { at: iso(at) }),
      );
      expect(expired.status).toBe('active');
      const past = { at: iso(t().clock.now() - 1) };
      expectError(await owner().call('POST', `/api/integrations/${id}/expire`, past), 422, 'ERR_VALIDATION');
      t().clock.set(at - 1);
      expectData(await ping(secret));
      t().clock.set(at);
      expectRejected(await ping(secret), 'ERR_KEY_EXPIRED');
      expect((await get(id)).status).toBe('expired');
    });

    it('expire now: ERR_KEY_EXPIRED at once, and it can no longer be rotated', async () => {
      const { id, secret } = await integration(['boards:read']);
      expectData(await ping(secret));
      expect(
        expectData<Credential>(await owner().call('POST', `/api/integrations/${id}/expire`)).status,
      ).toBe('expired');
      expectRejected(await ping(secret), 'ERR_KEY_EXPIRED');
      expectError(await rotate(id, { mode: 'now' }), 409, 'ERR_CONFLICT');
    });

    it('delete: the token stops at once and the integration leaves every list', async () => {
      const { id, secret } = await integration(['boards:read']);
      expectData(await ping(secret));
      expectData(await owner().call('DELETE', `/api/integrations/${id}`));
      expectRejected(await ping(secret), 'ERR_UNAUTHENTICATED');
      expectError(await owner().call('GET', `/api/integrations/${id}`), 404, 'ERR_NOT_FOUND');
      const list = expectData<Credential[]>(await owner().call('GET', '/api/integrations?limit=100'));
      expect(list.map((c) => c.id)).not.toContain(id);
    });
  });

  describe('api keys', () => {
    const { t, owner, ping, auditOf } = useOwner(create);
    const createKey = async (body: Record<string, unknown> = {}) =>
      expectData<Issued>(
        await owner().call('POST', '/api/keys', { name: unique('CI'), scope: 'read', ...body }),
        201,
      );

    it('revoke is permanent: ERR_KEY_REVOKED, expire is a conflict, revoking again changes nothing', async () => {
      const key = await createKey();
      expectData(await ping(key.secret));
      const revoked = expectData<Credential>(await owner().call('POST', `/api/keys/${key.id}/revoke`));
      expect(revoked.status).toBe('revoked');
      expectRejected(await ping(key.secret), 'ERR_KEY_REVOKED');

      expectError(await owner().call('POST', `/api/keys/${key.id}/expire`), 409, 'ERR_CONFLICT');
      const later = { at: iso(t().clock.now() + DAY) };
      expectError(await owner().call('POST', `/api/keys/${key.id}/expire`, later), 409, 'ERR_CONFLICT');
      expect(expectData<Credential>(await owner().call('POST', `/api/keys/${key.id}/revoke`)).status).toBe(
        'revoked',
      );
      expect(expectData<Credential>(await owner().call('GET', `/api/keys/${key.id}`)).status).toBe('revoked');
      expectRejected(await ping(key.secret), 'ERR_KEY_REVOKED');
      expect((await auditOf(key.id)).filter((a) => a.action === 'api_key.revoked')).toHaveLength(1);
    });

    it('expire later, then expire now', async () => {
      const later = await createKey();
      const at = t().clock.now() + HOUR;
      expectData(await owner().call('POST', `/api/keys/${later.id}/expire`, { at: iso(at) }));
      t().clock.set(at - 1);
      expectData(await ping(later.secret));
      t().clock.set(at);
      expectRejected(await ping(later.secret), 'ERR_KEY_EXPIRED');

      const now = await createKey();
      expectData(await ping(now.secret));
      const expired = expectData<Credential>(await owner().call('POST', `/api/keys/${now.id}/expire`));
      expect(expired.status).toBe('expired');
      expectRejected(await ping(now.secret), 'ERR_KEY_EXPIRED');
    });

    it('an expired key stays expired: expiring again changes nothing, a later time cannot revive it', async () => {
      const key = await createKey();
      const first = expectData<Credential & { expires_at: string }>(
        await owner().call('POST', `/api/keys/${key.id}/expire`),
      );
      t().clock.advance(HOUR);
      const again = expectData<Credential & { expires_at: string }>(
        await owner().call('POST', `/api/keys/${key.id}/expire`),
      );
      expect(again.expires_at).toBe(first.expires_at);
      const revive = { at: iso(t().clock.now() + DAY) };
      expectError(await owner().call('POST', `/api/keys/${key.id}/expire`, revive), 409, 'ERR_CONFLICT');
      expectRejected(await ping(key.secret), 'ERR_KEY_EXPIRED');
      expect((await auditOf(key.id)).filter((a) => a.action === 'api_key.expired')).toHaveLength(1);
    });

    it('delete: the key stops at once and leaves the list', async () => {
      const key = await createKey();
      expectData(await ping(key.secret));
      expectData(await owner().call('DELETE', `/api/keys/${key.id}`));
      expectRejected(await ping(key.secret), 'ERR_UNAUTHENTICATED');
      expectError(await owner().call('GET', `/api/keys/${key.id}`), 404, 'ERR_NOT_FOUND');
      expectError(await owner().call('POST', `/api/keys/${key.id}/revoke`), 404, 'ERR_NOT_FOUND');
      const list = expectData<Credential[]>(await owner().call('GET', '/api/keys?limit=100'));
      expect(list.map((k) => k.id)).not.toContain(key.id);
    });
  });

  // Moves the clock by months: sessions time out, so each test signs in again.
  describe('inactivity auto-expiry', () => {
    const { t, ping, auditOf, resignIn } = useOwner(create);
    const run = () => expireInactiveCredentials(t().deps.storage, t().clock, (m) => t().deps.bus.publish(m));
    const createKey = async (owner: Session) =>
      expectData<Issued>(await owner.call('POST', '/api/keys', { name: unique('old'), scope: 'read' }), 201);

    it('is off by default: with no window set nothing expires, however long unused', async () => {
      const owner = await resignIn();
      const key = await createKey(owner);
      t().clock.advance(400 * DAY);
      expect(await run()).toEqual([]);
      expectData(await ping(key.secret));
    });

    it('a key unused past the window expires (audited as the system); a recently used one survives', async () => {
      let owner = await resignIn();
      const settings = expectData<{ settings: { inactive_expiry_days: number | null } }>(
        await owner.call('PATCH', '/api/workspace', { settings: { inactive_expiry_days: 90 } }),
      ).settings;
      expect(settings.inactive_expiry_days).toBe(90);
      const stale = await createKey(owner);
      const fresh = await createKey(owner);
      t().clock.advance(60 * DAY);
      expectData(await ping(fresh.secret));
      await t().deps.usage.flush();
      t().clock.advance(31 * DAY);

      const expired = await run();
      expect(expired).toContain(stale.id);
      expect(expired).not.toContain(fresh.id);
      expectRejected(await ping(stale.secret), 'ERR_KEY_EXPIRED');
      expectData(await ping(fresh.secret));

      owner = await resignIn();
      const entries = await auditOf(stale.id);
      expect(entries.filter((a) => a.action === 'api_key.expired')).toEqual([
        expect.objectContaining({ actor: expect.objectContaining({ type: 'system', id: null }) }),
      ]);
      expect(expectData<Credential>(await owner.call('GET', `/api/keys/${stale.id}`)).status).toBe('expired');
    });

    it('two runs at once expire each credential once, with one audit entry', async () => {
      const key = await createKey(await resignIn());
      t().clock.advance(91 * DAY);
      const [a, b] = await Promise.all([run(), run()]);
      expect([...a, ...b].filter((id) => id === key.id)).toHaveLength(1);
      await resignIn();
      expect((await auditOf(key.id)).filter((e) => e.action === 'api_key.expired')).toHaveLength(1);
    });
  });
});
