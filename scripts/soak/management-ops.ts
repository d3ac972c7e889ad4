/**
 * Dashboard-session reads of the management API (keys, usage, request log, audit log) and the
 * integration's view of its webhook deliveries. Lists are paged on: a cursor from one answer is
 * followed by a later request, so deep pages are read too.
 */
import type { Reply } from './client.ts';
import { any, type Op, type OpContext, session } from './op-context.ts';

const cursors = new Map<string, string>();

/** `?limit=25`, or the cursor the previous page of this list gave, half of the time. */
function paged(list: string, path: string): string {
  const cursor = cursors.get(list);
  const join = path.includes('?') ? '&' : '?';
  return cursor && Math.random() < 0.5
    ? `${path}${join}limit=25&cursor=${encodeURIComponent(cursor)}`
    : `${path}${join}limit=25`;
}

function keepCursor(list: string, reply: Reply): void {
  const next = (reply.json as { next_cursor?: unknown } | undefined)?.next_cursor;
  if (typeof next === 'string') cursors.set(list, next);
  else if (reply.status === 200) cursors.delete(list);
}

const list = (op: string, path: string) => async (c: OpContext) => {
  const reply = await c.client.send({
    op,
    method: 'GET',
    path: paged(op, path),
    auth: session(c),
    expect: [200],
  });
  keepCursor(op, reply);
};

export const listKeys: Op = list('list-keys', '/api/keys');
export const auditLog: Op = list('audit-log', '/api/audit-log');

export const workspaceUsage: Op = (c) =>
  c.client.send({
    op: 'usage',
    method: 'GET',
    path: any(['/api/usage', '/api/usage?granularity=day']),
    auth: session(c),
    expect: [200],
  });

/** The recent-request log of a busy key, or of a fresh one (possibly revoked by now: still readable). */
export const credentialRequests: Op = (c) => {
  const fresh = c.world.fresh[0]?.id;
  const id = fresh && Math.random() < 0.3 ? fresh : any([c.p.mainKey.id, c.p.readKey.id]);
  return c.client.send({
    op: 'credential-requests',
    method: 'GET',
    path: `/api/credentials/${id}/requests`,
    auth: session(c),
    expect: [200],
  });
};

export const getKey: Op = (c) =>
  c.client.send({
    op: 'get-key',
    method: 'GET',
    path: `/api/keys/${c.p.mainKey.id}`,
    auth: session(c),
    expect: [200],
  });

export const webhookDeliveries: Op = (c) =>
  c.client.send({
    op: 'webhook-deliveries',
    method: 'GET',
    path: `/v1/webhooks/${c.p.webhook.id}/deliveries?limit=25`,
    auth: { bearer: c.p.integration.token },
    expect: [200],
  });
