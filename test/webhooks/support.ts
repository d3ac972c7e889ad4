/**
 * What the webhook suites share: a real HTTP receiver that verifies every delivery with the
 * `standardwebhooks` package (as a customer's server would), integration tokens, and workers driven
 * by the test's clock.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { DEFAULT_CATALOGUE } from '../../src/core/catalogue.ts';
import { createIntegration, issueIntegrationToken } from '../../src/credentials/integrations.ts';
import type { Storage } from '../../src/storage/index.ts';
import { WebhookWorker, type WebhookWorkerOptions } from '../../src/webhooks/worker.ts';
import type { TestApp } from '../support/app.ts';

export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** Verified with the receiver's current secrets (any of them). */
  verified: boolean;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A customer's endpoint: records and verifies what arrives, answers as the test says. */
export class Receiver {
  readonly received: Received[] = [];
  /** Secrets a delivery may be signed with; verification passes if one matches. */
  secrets: string[] = [];
  reply: (r: Received) => Reply = () => ({ status: 200, body: 'ok' });
  private readonly inFlight = new Map<string, number>();
  /** The most requests with one webhook-id that were ever in flight at once. */
  maxConcurrentPerId = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((req, res) => void receiver!.handle(req, res));
    receiver = new Receiver(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook', host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  ids(): string[] {
    return this.received.map((r) => r.id);
  }

  types(): string[] {
    return this.received.map((r) => r.payload.type);
  }

  countById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  verifies(r: Received, secret: string): boolean {
    try {
      new Webhook(secret).verify(r.body, {
        'webhook-id': r.id,
        'webhook-timestamp': r.timestamp,
        'webhook-signature': r.signature,
      });
      return true;
    } catch {
      return false;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => String(req.headers[name] ?? '');
    const r: Received = {
      path: req.url ?? '',
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body,
      verified: false,
      payload: JSON.parse(body || '{}'),
    };
    r.verified = this.secrets.some((s) => this.verifies(r, s));
    const inFlight = (this.inFlight.get(r.id) ?? 0) + 1;
    this.inFlight.set(r.id, inFlight);
    this.maxConcurrentPerId = Math.max(this.maxConcurrentPerId, inFlight);
    this.received.push(r);
    const reply = this.reply(r);
    if (reply.delayMs) await new Promise((done) => setTimeout(done, reply.delayMs));
    this.inFlight.set(r.id, (this.inFlight.get(r.id) ?? 1) - 1);
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? '');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
  }
}

/** Config for apps whose receivers are local test servers over http. */
export const LOCAL_RECEIVERS = { webhookAllowHttp: true, webhookAllowPrivate: true } as const;

/** An integration token holding `scopes` (default: every scope). */
export async function integrationToken(
  t: TestApp,
  workspaceId: string,
  scopes: string[] = [...DEFAULT_CATALOGUE.scopes],
): Promise<{ id: string; secret: string }> {
  const ctx = t.deps.credentials;
  const row = await createIntegration(ctx, { workspaceId, name: 'CRM sync', scopes }, CLI_ACTOR);
  const { secret } = await issueIntegrationToken(ctx, workspaceId, row.id, CLI_ACTOR);
  return { id: row.id, secret };
}

/** A worker over the app's storage and clock; fixed jitter, a short timeout, local receivers allowed. */
export function workerFor(
  t: TestApp,
  options: Partial<WebhookWorkerOptions> & { storage?: Storage } = {},
): WebhookWorker {
  return new WebhookWorker({
    storage: t.deps.storage,
    clock: t.clock,
    policy: { allowHttp: true, allowPrivate: true },
    disableAfterMs: t.deps.config.webhookDisableAfter,
    timeoutMs: 2_000,
    random: () => 0.5,
    ...options,
  });
}

/** Creates an endpoint through the public API with an integration token; returns its id and secret. */
export async function createEndpointVia(
  t: TestApp,
  token: string,
  body: { url: string; events: string[]; description?: string },
): Promise<{ id: string; secret: string }> {
  const res = await t.call(token, 'POST', '/v1/webhooks', body);
  if (res.statusCode !== 201) throw new Error(`endpoint not created: ${res.statusCode} ${res.body}`);
  const data = (res.json() as { data: { id: string; secret: string } }).data;
  return { id: data.id, secret: data.secret };
}

/** Waits until `check` holds (real time), failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}
