/**
 * Webhook endpoints: integration tokens manage them on /v1 (API keys are refused), admins on /api;
 * the signing secret is shown once and rotates with an overlap; destinations are checked.
 */
import { describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/contract/webhooks.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { setupOwner, userWithRole } from '../support/session.ts';
import { integrationToken, LOCAL_RECEIVERS } from './support.ts';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  secret?: string;
  previous_secret_expires_at: string | null;
}

const HOOK_URL = 'https://203.0.113.7/hooks/keyward';

describeDialects('webhook endpoints', (create) => {
  describe('on /v1 with integration tokens', () => {
    const t = useApp(create);

    it('a token with webhooks:write creates an endpoint and sees its whsec_ secret once', async () => {
      const ws = await t().workspace();
      const { secret: token } = await integrationToken(t(), ws, ['webhooks:write']);
      const created = expectData<Endpoint>(
        await t().call(token, 'POST', '/v1/webhooks', {
          url: HOOK_URL,
          events: ['post.created', 'vote.created'],
          description: 'CRM',
        }),
        201,
      );
      expect(created).toMatchObject({
        url: HOOK_URL,
        events: ['post.created', 'vote.created'],
        enabled: true,
        description: 'CRM',
      });
      expect(created.id).toMatch(/^whk_/);
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(created.secret!.slice('whsec_'.length), 'base64')).toHaveLength(32);

      const read = await t().call(token, 'GET', `/v1/webhooks/${created.id}`);
      expect(expectData<Endpoint>(read)).not.toHaveProperty('secret');
      expect(read.body).not.toContain(created.secret!.slice(6));
      const list = await t().call(token, 'GET', '/v1/webhooks');
      expect(expectData<Endpoint[]>(list).map((e) => e.id)).toEqual([created.id]);
      expect(list.body).not.toContain(created.secret!.slice(6));
    });

    it('changes, disables and deletes an endpoint; "*" subscribes to everything', async () => {
      const ws = await t().workspace();
      const { secret: token } = await integrationToken(t(), ws, ['webhooks:write']);
      const { id } = expectData<Endpoint>(
        await t().call(token, 'POST', '/v1/webhooks', { url: HOOK_URL, events: ['post.created'] }),
        201,
      );
      const changed = expectData<Endpoint>(
        await t().call(token, 'PATCH', `/v1/webhooks/${id}`, {
          events: ['*', 'post.created'],
          enabled: false,
        }),
      );
      expect(changed).toMatchObject({ events: ['*'], enabled: false });
      expect(
        expectData<Endpoint>(await t().call(token, 'PATCH', `/v1/webhooks/${id}`, { enabled: true })).enabled,
      ).toBe(true);
      expectData(await t().call(token, 'DELETE', `/v1/webhooks/${id}`));
      expectError(await t().call(token, 'GET', `/v1/webhooks/${id}`), 404, 'ERR_NOT_FOUND');
      const audit = (await t().deps.storage.audit.list(ws, { targetId: id }, { limit: 10 })).items.map(
        (a) => a.action,
      );
      expect(audit.sort()).toEqual([
        'webhook.created',
        'webhook.deleted',
        'webhook.updated',
        'webhook.updated',
      ]);
    });

    it('accepts every catalogue event and refuses unknown ones (422)', async () => {
      const ws = await t().workspace();
      const { secret: token } = await integrationToken(t(), ws, ['webhooks:write']);
      const all = expectData<Endpoint>(
        await t().call(token, 'POST', '/v1/webhooks', { url: HOOK_URL, events: [...WEBHOOK_EVENT_TYPES] }),
        201,
      );
      expect(all.events).toEqual([...WEBHOOK_EVENT_TYPES].sort());
      expectError(
        await t().call(token, 'POST', '/v1/webhooks', { url: HOOK_URL, events: ['post.exploded'] }),
        422,
        'ERR_VALIDATION',
      );
      expectError(
        await t().call(token, 'POST', '/v1/webhooks', { url: HOOK_URL, events: [] }),
        422,
        'ERR_VALIDATION',
      );
      expectError(
        await t().call(token, 'POST', '/v1/webhooks', { url: 'not a url', events: ['*'] }),
        422,
        'ERR_VALIDATION',
      );
    });

    it('an API key, whatever its scope, gets 403 ERR_FORBIDDEN pointing to private integrations', async () => {
      const ws = await t().workspace();
      const { secret: token } = await integrationToken(t(), ws, ['webhooks:write']);
      const { id } = expectData<Endpoint>(
        await t().call(token, 'POST', '/v1/webhooks', { url: HOOK_URL, events: ['*'] }),
        201,
      );
      for (const scope of ['read', 'read:write']) {
        const key = await t().key(ws, scope);
        const calls: [string, string, unknown?][] = [
          ['GET', '/v1/webhooks'],
          ['POST', '/v1/webhooks', { url: HOOK_URL, events: ['*'] }],
          ['GET', `/v1/webhooks/${id}`],
          ['PATCH', `/v1/webhooks/${id}`, { enabled: false }],
          ['DELETE', `/v1/webhooks/${id}`],
          ['GET', `/v1/webhooks/${id}/deliveries`],
        ];
        for (const [method, url, body] of calls) {
          const error = expectError(
            await t().call(key.secret, method as 'GET', url, body),
            403,
            'ERR_FORBIDDEN',
          );
          expect(error.message).toMatch(/private integration/i);
        }
      }
      expect(expectData<Endpoint>(await t().call(token, 'GET', `/v1/webhooks/${id}`)).enabled).toBe(true);
    });

    it('scopes: webhooks:read reads but cannot write; a token without webhook scopes cannot read', async () => {
      const ws = await t().workspace();
      const writer = await integrationToken(t(), ws, ['webhooks:write']);
      const reader = await integrationToken(t(), ws, ['webhooks:read']);
      const other = await integrationToken(t(), ws, ['boards:write']);
      const { id } = expectData<Endpoint>(
        await t().call(writer.secret, 'POST', '/v1/webhooks', { url: HOOK_URL, events: ['*'] }),
        201,
      );
      expectData(await t().call(reader.secret, 'GET', `/v1/webhooks/${id}`));
      expectData(await t().call(reader.secret, 'GET', `/v1/webhooks/${id}/deliveries`));
      const denied = expectError(
        await t().call(reader.secret, 'DELETE', `/v1/webhooks/${id}`),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
      expect(denied.details).toEqual({ required: 'webhooks:write' });
      const none = expectError(
        await t().call(other.secret, 'GET', '/v1/webhooks'),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
      expect(none.details).toEqual({ required: 'webhooks:read' });
      expectError(await t().call(undefined, 'GET', '/v1/webhooks'), 401, 'ERR_UNAUTHENTICATED');
    });

    it("another workspace's endpoint is 404, never 403", async () => {
      const mine = await integrationToken(t(), await t().workspace());
      const theirs = await integrationToken(t(), await t().workspace());
      const { id } = expectData<Endpoint>(
        await t().call(theirs.secret, 'POST', '/v1/webhooks', { url: HOOK_URL, events: ['*'] }),
        201,
      );
      for (const [method, url] of [
        ['GET', `/v1/webhooks/${id}`],
        ['PATCH', `/v1/webhooks/${id}`],
        ['DELETE', `/v1/webhooks/${id}`],
        ['GET', `/v1/webhooks/${id}/deliveries`],
      ] as const) {
        expectError(
          await t().call(mine.secret, method, url, method === 'PATCH' ? { enabled: false } : undefined),
          404,
          'ERR_NOT_FOUND',
        );
      }
      expect(expectData<Endpoint[]>(await t().call(mine.secret, 'GET', '/v1/webhooks'))).toEqual([]);
    });
  });

  describe('destination safety (allow flags off)', () => {
    const t = useApp(create);
    const refused = [
      'http://203.0.113.7/hook',
      'https://127.0.0.1/hook',
      'https://127.8.0.1:8443/hook',
      'https://10.1.2.3/hook',
      'https://172.20.0.5/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://[::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://[fe80::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://2130706433/hook',
    ];

    it.each(refused)('refuses %s at creation (422 on url)', async (url) => {
      const ws = await t().workspace();
      const { secret } = await integrationToken(t(), ws, ['webhooks:write']);
      const error = expectError(
        await t().call(secret, 'POST', '/v1/webhooks', { url, events: ['*'] }),
        422,
        'ERR_VALIDATION',
      );
      expect(error.details?.issues).toEqual([expect.objectContaining({ path: ['url'] })]);
      expect(error.message).toMatch(url.startsWith('http:') ? /https/ : /KEYWARD_WEBHOOK_ALLOW_PRIVATE/);
    });

    it('refuses a host name that resolves to loopback, and changing a HOOK_URL to one', async () => {
      const ws = await t().workspace();
      const ctx = {
        storage: t().deps.storage,
        clock: t().clock,
        policy: { allowHttp: false, allowPrivate: false },
        resolve: async (host: string) => [
          { address: host === 'sneaky.example.com' ? '127.0.0.1' : '203.0.113.9', family: 4 },
        ],
      };
      await expect(
        createEndpoint(ctx, ws, { url: 'https://sneaky.example.com/hook', events: ['*'] }, CLI_ACTOR),
      ).rejects.toThrow(/resolves to 127\.0\.0\.1, a loopback address/);
      const ok = await createEndpoint(
        ctx,
        ws,
        { url: 'https://fine.example.com/hook', events: ['*'] },
        CLI_ACTOR,
      );
      expect(ok.url).toBe('https://fine.example.com/hook');
      const { secret } = await integrationToken(t(), ws, ['webhooks:write']);
      expectError(
        await t().call(secret, 'PATCH', `/v1/webhooks/${ok.id}`, { url: 'https://10.0.0.8/x' }),
        422,
        'ERR_VALIDATION',
      );
    });
  });

  describe('with KEYWARD_WEBHOOK_ALLOW_HTTP and _ALLOW_PRIVATE', () => {
    const t = useApp(create, { config: LOCAL_RECEIVERS });
    it('accepts local http receivers', async () => {
      const { secret } = await integrationToken(t(), await t().workspace(), ['webhooks:write']);
      for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'https://10.0.0.1/hook']) {
        expectData(await t().call(secret, 'POST', '/v1/webhooks', { url, events: ['*'] }), 201);
      }
    });
  });

  describe('on /api for the dashboard', () => {
    const t = useApp(create);

    it('an admin creates and rotates; a member reads; the secret is shown only on create and rotate', async () => {
      const owner = await setupOwner(t());
      const admin = await userWithRole(t(), owner.workspaceId, 'admin');
      const member = await userWithRole(t(), owner.workspaceId, 'member');
      const created = expectData<Endpoint>(
        await admin.call('POST', '/api/webhooks', { url: HOOK_URL, events: ['board.created'] }),
        201,
      );
      expect(created.secret).toMatch(/^whsec_/);
      expectError(
        await member.call('POST', '/api/webhooks', { url: HOOK_URL, events: ['*'] }),
        403,
        'ERR_FORBIDDEN',
      );
      const seen = await member.call('GET', `/api/webhooks/${created.id}`);
      expect(expectData<Endpoint>(seen).url).toBe(HOOK_URL);
      expect(seen.body).not.toContain('secret"');

      const rotated = expectData<Endpoint>(
        await admin.call('POST', `/api/webhooks/${created.id}/rotate-secret`, { overlap_seconds: 3600 }),
      );
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      expect(Date.parse(rotated.previous_secret_expires_at!) - t().clock.now()).toBe(3_600_000);
      const ended = expectData<Endpoint>(
        await admin.call('POST', `/api/webhooks/${created.id}/rotate-secret`, { overlap_seconds: 0 }),
      );
      expect(ended.previous_secret_expires_at).toBeNull();
      const stored = await t().deps.storage.webhooks.endpoints.get(owner.workspaceId, created.id);
      expect(stored).toMatchObject({ secret: ended.secret, previous_secret: null });
      const actions = (
        await t().deps.storage.audit.list(owner.workspaceId, { targetId: created.id }, { limit: 10 })
      ).items;
      expect(actions.map((a) => a.action)).toContain('webhook.secret_rotated');
      // The audit log never holds a signing secret.
      for (const a of actions) expect(`${a.before}${a.after}`).not.toContain('whsec_');
    });
  });
});
