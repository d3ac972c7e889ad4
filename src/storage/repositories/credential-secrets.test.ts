/** Reading the secrets of a page of credentials in one query, on SQLite and PostgreSQL. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects, type TestDatabase } from '../../../test/support/storages.ts';
import { newId } from '../../core/ids.ts';
import { generateSecret, hashSecret, startOf } from '../../core/secrets.ts';
import type { CredentialRow, SecretRow } from './credentials.ts';

const T0 = Date.parse('2026-01-01T00:00:00.123Z');

function credentialRow(workspaceId: string, at: number): CredentialRow {
  return {
    id: newId('apiKey', at),
    workspace_id: workspaceId,
    kind: 'api_key',
    name: 'test key',
    description: '',
    scopes: '["read"]',
    rate_limit: null,
    expires_at: null,
    revoked_at: null,
    deleted_at: null,
    last_used_at: null,
    last_used_ip: null,
    created_at: at,
    updated_at: at,
  };
}

function secretRow(credentialId: string, at: number): SecretRow {
  const secret = generateSecret('spk_');
  return {
    hash: hashSecret(secret),
    credential_id: credentialId,
    start: startOf(secret, 'spk_'),
    prefix: 'spk_',
    expires_at: null,
    created_at: at,
  };
}

describeDialects('secretsOfEach', (create) => {
  let db: TestDatabase;
  let clock = T0;
  const tick = () => (clock += 1_000);
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db?.drop());

  it('maps every credential to its own secrets, newest first, as secretsOf lists them', async () => {
    const { storage } = db;
    const ws = (await storage.workspaces.create({ name: 'Acme', plan: 'professional' }, tick())).id;
    const rotated = credentialRow(ws, tick());
    const single = credentialRow(ws, tick());
    const none = credentialRow(ws, tick());
    await storage.credentials.create(rotated, secretRow(rotated.id, rotated.created_at));
    await storage.credentials.addSecret(secretRow(rotated.id, tick()));
    await storage.credentials.create(single, secretRow(single.id, single.created_at));
    await storage.credentials.create(none);

    const ids = [rotated.id, single.id, none.id];
    const each = await storage.credentials.secretsOfEach(ids);
    expect([...each.keys()]).toEqual(ids);
    for (const id of ids) expect(each.get(id)).toEqual(await storage.credentials.secretsOf(id));
    expect(each.get(rotated.id)).toHaveLength(2);
    expect(each.get(none.id)).toEqual([]);
  });

  it('an empty page reads nothing and maps nothing', async () => {
    expect((await db.storage.credentials.secretsOfEach([])).size).toBe(0);
  });
});
