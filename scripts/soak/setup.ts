/**
 * Provisioning through the public surfaces only: first-run setup (owner session and CSRF token), API
 * keys, a private integration with its token, and a webhook endpoint pointing at the local receiver.
 */
import { dataOf, type RequestSpec, type Session, type SoakClient } from './client.ts';

export interface Provisioned {
  session: Session;
  /** read:write: the workload's writes and most reads. */
  mainKey: { id: string; secret: string };
  /** read: reads, and writes that must be refused with 403. */
  readKey: { id: string; secret: string };
  /** read with a tiny rate limit, so the 429 path is part of the mix. */
  limitedKey: { id: string; secret: string };
  integration: { id: string; token: string };
  webhook: { id: string; secret: string };
}

export const LIMITED_KEY_RATE = '20/m';

/** Every setup step must succeed: a soak that cannot provision says why and stops. */
async function must<T>(client: SoakClient, spec: Omit<RequestSpec, 'op' | 'expect'>, status: number) {
  const reply = await client.send({ ...spec, op: 'setup', expect: [status] });
  const data = dataOf<T>(reply);
  if (reply.status !== status || data === undefined)
    throw new Error(
      `setup: ${spec.method} ${spec.path} answered ${reply.status ?? 'nothing'}: ${(reply.text ?? '').slice(0, 300)}`,
    );
  return { data, reply };
}

export async function provision(client: SoakClient, receiverUrl: string): Promise<Provisioned> {
  const setup = await must<{ csrf_token: string }>(
    client,
    {
      method: 'POST',
      path: '/api/setup',
      auth: 'none',
      body: { workspace_name: 'Soak Co', email: 'owner@soak.test', password: 'a long soak password' },
    },
    201,
  );
  const cookie = (setup.reply.headers?.getSetCookie() ?? [])
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.startsWith('kw_session='))
    .join('; ');
  if (!cookie) throw new Error('setup: POST /api/setup set no kw_session cookie');
  const session: Session = { cookie, csrf: setup.data.csrf_token };
  const auth = { session };

  const key = async (body: Record<string, unknown>) =>
    (
      await must<{ id: string; secret: string }>(
        client,
        { method: 'POST', path: '/api/keys', auth, body },
        201,
      )
    ).data;
  const mainKey = await key({ name: 'soak read-write', scope: 'read:write' });
  const readKey = await key({ name: 'soak read-only', scope: 'read' });
  const limitedKey = await key({ name: 'soak limited', scope: 'read', rate_limit: LIMITED_KEY_RATE });

  const integration = (
    await must<{ id: string }>(
      client,
      {
        method: 'POST',
        path: '/api/integrations',
        auth,
        body: {
          name: 'soak integration',
          description: 'webhooks for the soak receiver',
          scopes: ['webhooks:read', 'webhooks:write', 'boards:read', 'posts:read'],
        },
      },
      201,
    )
  ).data;
  const token = (
    await must<{ secret: string }>(
      client,
      { method: 'POST', path: `/api/integrations/${integration.id}/token`, auth },
      201,
    )
  ).data.secret;

  const webhook = (
    await must<{ id: string; secret: string }>(
      client,
      {
        method: 'POST',
        path: '/v1/webhooks',
        auth: { bearer: token },
        body: { url: receiverUrl, events: ['*'], description: 'soak receiver' },
      },
      201,
    )
  ).data;

  return {
    session,
    mainKey: { id: mainKey.id, secret: mainKey.secret },
    readKey: { id: readKey.id, secret: readKey.secret },
    limitedKey: { id: limitedKey.id, secret: limitedKey.secret },
    integration: { id: integration.id, token },
    webhook: { id: webhook.id, secret: webhook.secret },
  };
}
