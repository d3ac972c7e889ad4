/** examples/crm: the contacts API protected by keyward/fastify, with its own scope catalogue, in both modes. */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrm } from '../../examples/crm/app.ts';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { createIntegration, issueIntegrationToken } from '../../src/credentials/integrations.ts';
import { describeDialects, useApp } from '../http/harness.ts';

const SCOPES = fileURLToPath(new URL('../../examples/crm/scopes.json', import.meta.url));
const VERIFY_TOKEN = 'svc_crm_example_token_0123';

describeDialects('examples/crm', (create) => {
  const t = useApp(create, { config: { serviceToken: VERIFY_TOKEN, scopesFile: SCOPES } });
  let base = '';
  beforeAll(async () => {
    await t().app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t().app.server.address() as AddressInfo).port}`;
  });

  describe.each(['remote', 'in-process'] as const)('%s', (mode) => {
    let crm: FastifyInstance | undefined;
    beforeAll(async () => {
      crm = await buildCrm(
        mode === 'remote' ? { url: base, token: VERIFY_TOKEN } : { databaseUrl: t().deps.config.databaseUrl },
      );
      await crm.ready();
    });
    afterAll(async () => {
      await crm?.close();
    });
    const call = (secret: string | undefined, method: 'GET' | 'POST', body?: unknown) =>
      crm!.inject({
        method,
        url: '/contacts',
        headers: secret ? { authorization: `Bearer ${secret}` } : {},
        ...(body === undefined ? {} : { payload: body as object }),
      });

    it('an integration with contacts:read and contacts:write lists and creates its own contacts', async () => {
      const ws = await t().workspace();
      const ctx = t().deps.credentials;
      const row = await createIntegration(
        ctx,
        { workspaceId: ws, name: 'Sync', scopes: ['contacts:read', 'contacts:write'] },
        CLI_ACTOR,
      );
      const { secret } = await issueIntegrationToken(ctx, ws, row.id, CLI_ACTOR);
      const created = await call(secret, 'POST', { name: 'Ada Lovelace', email: 'ada@example.com' });
      expect(created.statusCode).toBe(201);
      expect(created.headers['x-ratelimit-limit']).toBe('1000');
      const listed = await call(secret, 'GET');
      expect(listed.statusCode).toBe(200);
      expect(listed.json().data).toEqual([created.json().data]);
      // Another workspace sees none of them.
      const other = await t().key(await t().workspace(), 'read');
      expect((await call(other.secret, 'GET')).json()).toEqual({ data: [] });
    });

    it('contacts:read alone cannot create; no key is 401; both in the Keyward envelope', async () => {
      const ws = await t().workspace();
      const ctx = t().deps.credentials;
      const row = await createIntegration(
        ctx,
        { workspaceId: ws, name: 'Reader', scopes: ['contacts:read'] },
        CLI_ACTOR,
      );
      const { secret } = await issueIntegrationToken(ctx, ws, row.id, CLI_ACTOR);
      expect((await call(secret, 'GET')).statusCode).toBe(200);
      const refused = await call(secret, 'POST', { name: 'Grace' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({
        error: {
          code: 'ERR_SCOPE_INSUFFICIENT',
          message: 'This endpoint requires the contacts:write scope.',
          details: { required: 'contacts:write' },
        },
      });
      expect((await call(undefined, 'GET')).json().error.code).toBe('ERR_UNAUTHENTICATED');
      expect((await crm!.inject({ url: '/healthz' })).statusCode).toBe(200);
    });
  });
});
