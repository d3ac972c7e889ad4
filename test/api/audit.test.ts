/**
 * The audit log: every change names its actor, address, time and what changed; it can be filtered
 * and paged, only admins read it, and no secret (nor its hash) ever lands in it.
 */
import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { revokeCredential } from '../../src/credentials/lifecycle.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { PASSWORD, type Session, setupOwner, userWithRole } from '../support/session.ts';

const OWNER = 'owner@acme.test';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface AuditEntry {
  id: string;
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null };
  ip: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  created_at: string;
}
interface Page {
  data: AuditEntry[];
  next_cursor: string | null;
}

describeDialects('audit log', (create) => {
  const t = useApp(create);
  let owner: Session;
  /** Every secret minted through this suite, to look for in the log at the end. */
  const secrets: string[] = [];
  beforeAll(async () => {
    owner = await setupOwner(t(), OWNER);
  });

  /** Moves the clock a second (entries sort by time) and returns the new time. */
  const tick = () => {
    t().clock.advance(1000);
    return t().clock.now();
  };
  const byUser = () => ({ type: 'user', id: owner.userId, label: OWNER });
  const entriesOf = async (targetId: string) =>
    expectData<AuditEntry[]>(await owner.call('GET', `/api/audit-log?target_id=${targetId}&limit=100`));
  const post = async <T = { id: string; secret: string }>(url: string, body?: unknown, status = 200) =>
    expectData<T>(await owner.call('POST', url, body), status);

  it('api keys: created, expired, revoked and deleted, each with actor, ip, time and before/after', async () => {
    const times = [tick()];
    const key = await post('/api/keys', { name: 'CI', scope: 'read', rate_limit: '100/h' }, 201);
    secrets.push(key.secret);
    times.push(tick());
    const at = t().clock.now() + 86_400_000;
    await post(`/api/keys/${key.id}/expire`, { at: new Date(at).toISOString() });
    times.push(tick());
    await post(`/api/keys/${key.id}/revoke`);
    times.push(tick());
    expectData(await owner.call('DELETE', `/api/keys/${key.id}`));

    const entries = await entriesOf(key.id);
    expect(entries.map((e) => e.action)).toEqual([
      'api_key.deleted',
      'api_key.revoked',
      'api_key.expired',
      'api_key.created',
    ]);
    expect(entries.map((e) => e.created_at)).toEqual(
      [...times].reverse().map((ms) => new Date(ms).toISOString()),
    );
    for (const e of entries) {
      expect(e).toMatchObject({ actor: byUser(), ip: '127.0.0.1', target: { type: 'api_key', id: key.id } });
    }
    const [deleted, revoked, expired, created] = entries;
    expect(created?.before).toBeNull();
    expect(created?.after).toMatchObject({
      name: 'CI',
      scopes: ['read'],
      rate_limit: '100/h',
      expires_at: null,
    });
    expect(expired).toMatchObject({ before: { expires_at: null }, after: { expires_at: at } });
    expect(revoked).toMatchObject({ before: { revoked_at: null }, after: { revoked_at: times[2] } });
    expect(deleted).toMatchObject({ before: { deleted_at: null }, after: { deleted_at: times[3] } });
  });

  it('integrations: created, updated (scopes before/after), token_created, rotated, expired, deleted', async () => {
    const integration = await post('/api/integrations', { name: 'Zapier', scopes: ['boards:read'] }, 201);
    tick();
    expectData(
      await owner.call('PATCH', `/api/integrations/${integration.id}`, {
        scopes: ['posts:write', 'boards:read'],
      }),
    );
    tick();
    secrets.push((await post(`/api/integrations/${integration.id}/token`, undefined, 201)).secret);
    tick();
    secrets.push(
      (await post(`/api/integrations/${integration.id}/rotate`, { mode: 'later', grace_seconds: 60 })).secret,
    );
    tick();
    await post(`/api/integrations/${integration.id}/expire`);
    tick();
    expectData(await owner.call('DELETE', `/api/integrations/${integration.id}`));

    const entries = await entriesOf(integration.id);
    expect(entries.map((e) => e.action)).toEqual([
      'integration.deleted',
      'integration.expired',
      'integration.rotated',
      'integration.token_created',
      'integration.updated',
      'integration.created',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({
        actor: byUser(),
        ip: '127.0.0.1',
        target: { type: 'integration', id: integration.id },
      });
    }
    const updated = entries[4]!;
    expect(updated.before?.scopes).toEqual(['boards:read']);
    expect(updated.after?.scopes).toEqual(['boards:read', 'posts:write']);
    expect(entries[5]?.after).toMatchObject({ name: 'Zapier', scopes: ['boards:read'] });
  });

  it('users: created, role_changed and removed', async () => {
    const user = await post<{ id: string }>(
      '/api/users',
      { email: 'ann@acme.test', password: PASSWORD, role: 'member' },
      201,
    );
    tick();
    expectData(await owner.call('PATCH', `/api/users/${user.id}`, { role: 'admin' }));
    tick();
    expectData(await owner.call('DELETE', `/api/users/${user.id}`));

    const entries = await entriesOf(user.id);
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ['user.removed', { email: 'ann@acme.test', role: 'admin' }, null],
      ['user.role_changed', { role: 'member' }, { role: 'admin' }],
      ['user.created', null, { email: 'ann@acme.test', role: 'member' }],
    ]);
    for (const e of entries)
      expect(e).toMatchObject({ actor: byUser(), ip: '127.0.0.1', target: { type: 'user' } });
    for (const e of entries) expect(JSON.stringify(e)).not.toContain(PASSWORD);
  });

  it('workspace.updated records what changed in the settings, and nothing that did not', async () => {
    const at = tick();
    expectData(
      await owner.call('PATCH', '/api/workspace', {
        name: 'Acme Inc',
        settings: { alert_budget_percent: 80 },
      }),
    );
    const [entry] = await entriesOf(owner.workspaceId);
    expect(entry).toMatchObject({
      action: 'workspace.updated',
      actor: byUser(),
      ip: '127.0.0.1',
      target: { type: 'workspace', id: owner.workspaceId },
      created_at: new Date(at).toISOString(),
      before: { name: 'Acme', settings: { alert_budget_percent: null } },
      after: { name: 'Acme Inc', settings: { alert_budget_percent: 80 } },
    });
    expect(Object.keys(entry?.after ?? {}).sort()).toEqual(['name', 'settings']);
  });

  it('changes made outside a session name the CLI or the system as actor, without an address', async () => {
    const key = await t().key(owner.workspaceId, 'read');
    secrets.push(key.secret);
    tick();
    await revokeCredential(t().deps.credentials, null, key.id, CLI_ACTOR);
    const [revoked, created] = await entriesOf(key.id);
    expect(created).toMatchObject({
      action: 'api_key.created',
      actor: { type: 'system', id: null },
      ip: null,
    });
    expect(revoked).toMatchObject({
      action: 'api_key.revoked',
      actor: { type: 'cli', id: null, label: 'keyward CLI' },
      ip: null,
    });
  });

  it('filters by action and target, and pages with a cursor', async () => {
    for (const name of ['a', 'b', 'c'])
      secrets.push((await post('/api/keys', { name, scope: 'read' }, 201)).secret);
    const created = expectData<AuditEntry[]>(
      await owner.call('GET', '/api/audit-log?action=api_key.created&limit=100'),
    );
    expect(created.length).toBeGreaterThanOrEqual(3);
    expect(new Set(created.map((e) => e.action))).toEqual(new Set(['api_key.created']));

    const all = expectData<AuditEntry[]>(await owner.call('GET', '/api/audit-log?limit=100'));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await owner.call('GET', `/api/audit-log?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page = res.json() as Page;
      expect(page.data.length).toBeLessThanOrEqual(2);
      paged.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all.map((e) => e.id));
    expect(new Set(paged).size).toBe(paged.length);
    expectError(await owner.call('GET', '/api/audit-log?cursor=not-a-cursor'), 400, 'ERR_BAD_REQUEST');
  });

  it('only admins and owners read it: a member gets 403', async () => {
    const member = await userWithRole(t(), owner.workspaceId, 'member');
    expectError(await member.call('GET', '/api/audit-log'), 403, 'ERR_FORBIDDEN');
    const admin = await userWithRole(t(), owner.workspaceId, 'admin');
    expectData(await admin.call('GET', '/api/audit-log'));
  });

  it('no secret, nor its hash, appears in any audit entry', async () => {
    // Mint a few more here, so the check has something to find even when run alone.
    const key = await post('/api/keys', { name: 'scan', scope: 'read:write' }, 201);
    const integration = await post('/api/integrations', { name: 'scan', scopes: ['votes:write'] }, 201);
    const token = await post(`/api/integrations/${integration.id}/token`, undefined, 201);
    const rotated = await post(`/api/integrations/${integration.id}/rotate`, { mode: 'now' });
    await post(`/api/keys/${key.id}/revoke`);
    secrets.push(key.secret, token.secret, rotated.secret);

    const api = expectData<AuditEntry[]>(await owner.call('GET', '/api/audit-log?limit=100'));
    const rows = await t().deps.storage.db.selectFrom('audit_log').selectAll().execute();
    expect(rows.length).toBe(api.length);
    const texts = [...api, ...rows].map((entry) => JSON.stringify(entry));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const text of texts) {
      expect(text).not.toMatch(/sp[ki]_/);
      for (const secret of secrets) {
        expect(text).not.toContain(secret.slice(4));
        expect(text).not.toContain(sha256(secret));
      }
    }
  });
});
