/**
 * The webhook receiver: a node:http server on 127.0.0.1 that answers 200, checks each delivery's
 * Standard Webhooks signature, and counts deliveries, distinct events and event types.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

const MAX_BODY = 1024 * 1024;
/** Distinct ids remembered; past it, duplicates are no longer told apart (the count stays honest). */
const MAX_IDS = 2_000_000;

export interface ReceiverCounts {
  /** Every POST answered 200. */
  deliveries: number;
  /** Distinct `webhook-id`s among them (a redelivery repeats the id). */
  distinct: number;
  /** Deliveries whose signature did not verify against the endpoint's secret. */
  badSignatures: number;
  byType: Record<string, number>;
}

export class WebhookReceiver {
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly ids = new Set<string>();
  private readonly byType = new Map<string, number>();
  private verifier: Webhook | undefined;
  private deliveries = 0;
  private badSignatures = 0;
  url = '';

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the receiver has no port');
    this.url = `http://127.0.0.1:${address.port}/hooks`;
  }

  /** The endpoint's `whsec_…`, known once the endpoint exists (before any event can be sent). */
  verifyWith(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  counts(): ReceiverCounts {
    return {
      deliveries: this.deliveries,
      distinct: this.ids.size,
      badSignatures: this.badSignatures,
      byType: Object.fromEntries(this.byType),
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY) {
          res.writeHead(413).end();
          return;
        }
        chunks.push(chunk);
      }
    } catch {
      return; // The sender went away mid-body; nothing was delivered.
    }
    const body = Buffer.concat(chunks).toString('utf8');
    this.record(req, body);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }

  private record(req: IncomingMessage, body: string): void {
    this.deliveries++;
    const id = header(req, 'webhook-id');
    if (id && this.ids.size < MAX_IDS) this.ids.add(id);
    try {
      if (!this.verifier) throw new Error('no secret yet');
      this.verifier.verify(body, {
        'webhook-id': id ?? '',
        'webhook-timestamp': header(req, 'webhook-timestamp') ?? '',
        'webhook-signature': header(req, 'webhook-signature') ?? '',
      });
    } catch {
      this.badSignatures++;
    }
    let type = 'unparsed';
    try {
      const parsed = JSON.parse(body) as { type?: unknown };
      if (typeof parsed.type === 'string') type = parsed.type;
    } catch {
      // Counted as `unparsed`.
    }
    this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
