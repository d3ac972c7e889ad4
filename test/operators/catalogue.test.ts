/**
 * An operator's own scope catalogue end to end: KEYWARD_SCOPES with `demo_api: false` replaces the
 * demo resources everywhere scopes are listed or checked — integrations, verify, /api/scopes, the
 * OpenAPI document — and removes the demo routes.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { setupOwner, signIn } from '../support/session.ts';

const SERVICE_TOKEN = 'svc_catalogue_test_token_1234567890';
const catalogueFile = join(tmpdir(), `keyward-scopes-${process.pid}.json`);
writeFileSync(
  catalogueFile,
  JSON.stringify({
    demo_api: false,
    resources: {
      contacts: {
        title: 'Contacts',
        description: 'People in your CRM',
        read: 'List and read contacts',
        write: 'Create, update and delete contacts',
      },
      messages: { title: 'Messages', read: 'Read conversations', write: 'Send messages' },
    },
  }),
);
const SCOPES = [
  'contacts:read',
  'contacts:write',
  'messages:read',
  'messages:write',
  'webhooks:read',
  'webhooks:write',
];

describeDialects("an operator's scope catalogue", (create) => {
  const t = useApp(create, { config: { scopesFile: catalogueFile, serviceToken: SERVICE_TOKEN } });

  const verify = (key: string, scope?: string) =>
    t().app.inject({
      method: 'POST',
      url: '/v1/keys/verify',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      payload: scope === undefined ? { key } : { key, scope },
    });

  it('GET /api/scopes lists its resources, webhooks last, with what read and write allow', async () => {
    const owner = await setupOwner(t());
    const view = expectData<{
      resources: { resource: string; read: { scope: string; description: string } }[];
    }>(await owner.call('GET', '/api/scopes'));
    expect(view.resources.map((r) => r.resource)).toEqual(['contacts', 'messages', 'webhooks']);
    expect(view.resources[0]!.read).toEqual({
      scope: 'contacts:read',
      description: 'List and read contacts',
    });
  });

  it('an integration takes its scopes, refuses others naming the allowed ones, and verifies with them', async () => {
    // The owner the first test set up signs in again.
    const s = await signIn(t(), 'owner@acme.test');
    const refused = expectError(
      await s.call('POST', '/api/integrations', { name: 'Old', scopes: ['boards:read'] }),
      422,
      'ERR_VALIDATION',
    );
    for (const scope of SCOPES) expect(JSON.stringify(refused)).toContain(scope);

    const integration = expectData<{ id: string }>(
      await s.call('POST', '/api/integrations', { name: 'CRM sync', scopes: ['contacts:read'] }),
      201,
    );
    const { secret } = expectData<{ secret: string }>(
      await s.call('POST', `/api/integrations/${integration.id}/token`),
      201,
    );
    expect(expectData<{ valid: boolean; code: string }>(await verify(secret, 'contacts:read'))).toMatchObject(
      {
        valid: true,
        code: 'VALID',
      },
    );
    expect(
      expectData<{ valid: boolean; code: string }>(await verify(secret, 'contacts:write')),
    ).toMatchObject({
      valid: false,
      code: 'ERR_SCOPE_INSUFFICIENT',
    });
    const unknown = expectError(await verify(secret, 'boards:read'), 422, 'ERR_VALIDATION');
    expect(JSON.stringify(unknown)).toContain('contacts:read');
  });

  it('the demo routes are gone, and the OpenAPI document lists the catalogue as the scope enum', async () => {
    const ws = await t().workspace();
    const { secret } = await t().key(ws, 'read:write');
    expectError(
      await t().app.inject({
        method: 'GET',
        url: '/v1/boards',
        headers: { authorization: `Bearer ${secret}` },
      }),
      404,
      'ERR_NOT_FOUND',
    );
    const doc = (await t().app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    expect(Object.keys(doc.paths).filter((p) => /boards|posts|votes/.test(p))).toEqual([]);
    const body = JSON.stringify(doc.paths['/api/integrations']!.post!.requestBody);
    for (const scope of SCOPES) expect(body).toContain(`"${scope}"`);
    expect(body).not.toContain('boards:read');
    expect(JSON.stringify(doc.paths['/v1/keys/verify']!.post!.requestBody)).toContain('"contacts:read"');
  });
});
