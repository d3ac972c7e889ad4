/**
 * A workspace's API keys through the admin API: the same bodies and answers as /api/keys (the same
 * code), audited as the operator; a revoke works at once; keys of a deleted or unknown workspace are 404.
 */
import { expect, it } from 'vitest';
import { credentialSchema, withSecret } from '../../src/contract/credentials.ts';
import { createIntegration } from '../../src/credentials/integrations.ts';
import { deleteCredential } from '../../src/credentials/lifecycle.ts';
import { describeDialects, expectData, expectError, send, useApp } from '../http/harness.ts';
import { ADMIN_TOKEN, adminCall, operatorToken } from './support.ts';

interface Key {
  id: string;
  workspace_id: string;
  name: string;
  scopes: string[];
  status: string;
  rate_limit: string | null;
  expires_at: string | null;
  secret?: string;
}

describeDialects('admin API: keys of a workspace', (create) => {
  const t = useApp(create, { config: { adminToken: ADMIN_TOKEN } });

  it('POST mints a key with the /api/keys body and answer (secret once); GET lists it without the secret', async () => {
    const ws = await t().workspace();
    const expiresAt = new Date(t().clock.now() + 86_400_000).toISOString();
    const body = {
      name: 'CRM sync',
      description: 'nightly',
      scope: 'read',
      expires_at: expiresAt,
      rate_limit: '50/m',
    };
    const created = expectData<Key>(
      await adminCall(t(), 'POST', `/admin/v1/workspaces/${ws}/keys`, { body }),
      201,
    );
    expect(Object.keys(created).sort()).toEqual(Object.keys(withSecret.shape).sort());
    expect(created).toMatchObject({
      workspace_id: ws,
      name: 'CRM sync',
      scopes: ['read'],
      status: 'active',
      rate_limit: '50/m',
      expires_at: expiresAt,
    });
    expect(created.secret).toMatch(/^spk_/);
    const ping = await send(t(), { method: 'GET', url: '/v1/ping', secret: created.secret });
    expect(expectData<{ credential: { id: string } }>(ping).credential.id).toBe(created.id);
    expect(ping.headers['x-ratelimit-limit']).toBe('50');

    const list = await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws}/keys`);
    const page = list.json() as { data: Key[]; next_cursor: string | null };
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((k) => k.id)).toEqual([created.id]);
    expect(Object.keys(page.data[0]!).sort()).toEqual(Object.keys(credentialSchema.shape).sort());
    expect(list.body).not.toContain(created.secret!);
  });

  it('lists page with ?limit and ?cursor, and show only that workspace', async () => {
    const ws = await t().workspace();
    const other = await t().workspace();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await t().key(ws)).id);
    await t().key(other);
    const first = (await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws}/keys?limit=2`)).json();
    expect(first.data).toHaveLength(2);
    const second = (
      await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws}/keys?limit=2&cursor=${first.next_cursor}`)
    ).json();
    expect(second.next_cursor).toBeNull();
    expect([...first.data, ...second.data].map((k: Key) => k.id)).toEqual([...ids].sort().reverse());
    expectError(
      await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws}/keys?cursor=x`),
      400,
      'ERR_BAD_REQUEST',
    );
  });

  it('bad bodies are 422 as on /api/keys', async () => {
    const ws = await t().workspace();
    const past = new Date(t().clock.now() - 1000).toISOString();
    for (const body of [
      {},
      { name: 'k' },
      { name: 'k', scope: 'admin' },
      { name: '', scope: 'read' },
      { name: 'k', scope: 'read', rate_limit: 'lots' },
      { name: 'k', scope: 'read', expires_at: 'tomorrow' },
      { name: 'k', scope: 'read', expires_at: past },
    ]) {
      expectError(
        await adminCall(t(), 'POST', `/admin/v1/workspaces/${ws}/keys`, { body }),
        422,
        'ERR_VALIDATION',
      );
    }
  });

  it('POST /keys/{id}/revoke revokes a key of any workspace at once, audited as the operator; twice is harmless', async () => {
    const token = await operatorToken(t(), 'support-desk', 'admin');
    const ws = await t().workspace();
    const key = await t().key(ws, 'read');
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret: key.secret }));
    const revoked = expectData<Key>(
      await adminCall(t(), 'POST', `/admin/v1/keys/${key.id}/revoke`, { token: token.secret }),
    );
    expect(revoked).toMatchObject({ id: key.id, status: 'revoked' });
    expect(Object.keys(revoked).sort()).toEqual(Object.keys(credentialSchema.shape).sort());
    expectError(
      await send(t(), { method: 'GET', url: '/v1/ping', secret: key.secret }),
      401,
      'ERR_KEY_REVOKED',
    );
    expect(expectData<Key>(await adminCall(t(), 'POST', `/admin/v1/keys/${key.id}/revoke`)).status).toBe(
      'revoked',
    );
    const audit = await t().deps.storage.audit.list(ws, { action: 'api_key.revoked' }, { limit: 10 });
    expect(audit.items.map((e) => [e.actor_type, e.actor_id, e.actor_label])).toEqual([
      ['operator', token.id, 'support-desk'],
    ]);
  });

  it('a key created through the admin API is audited as the operator; an integration id is no key (404)', async () => {
    const ws = await t().workspace();
    const created = expectData<Key>(
      await adminCall(t(), 'POST', `/admin/v1/workspaces/${ws}/keys`, {
        body: { name: 'k', scope: 'read:write' },
      }),
      201,
    );
    const audit = await t().deps.storage.audit.list(ws, { action: 'api_key.created' }, { limit: 10 });
    expect(audit.items.map((e) => [e.target_id, `${e.actor_type}:${e.actor_label}`])).toEqual([
      [created.id, 'operator:admin-token'],
    ]);
    const integration = await createIntegration(
      t().deps.credentials,
      { workspaceId: ws, name: 'Zapier', scopes: ['boards:read'] },
      { type: 'cli' },
    );
    expectError(
      await adminCall(t(), 'POST', `/admin/v1/keys/${integration.id}/revoke`),
      404,
      'ERR_NOT_FOUND',
    );
    const deleted = await t().key(ws);
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret: deleted.secret }));
    await deleteCredential(t().deps.credentials, ws, deleted.id);
    expectError(await adminCall(t(), 'POST', `/admin/v1/keys/${deleted.id}/revoke`), 404, 'ERR_NOT_FOUND');
  });
});
