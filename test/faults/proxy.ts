/**
 * A TCP proxy on loopback in front of PostgreSQL that a fault test can break on purpose: cut every
 * connection (RST), refuse new ones (nothing listens), or stall (keep the sockets open but forward
 * no byte, as a hung server or a black-holed network does) and resume.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while stalled (or before the upstream connected), per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
  upstreamReady: boolean;
}

export class PgProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  private listenPort = 0;
  /** Connections accepted since start, for a test to check the servers did go through the proxy. */
  accepted = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  /** Listens (again) on its port; a free one the first time. */
  async accept(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.open(client));
    server.listen(this.listenPort, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
    this.listenPort = address.port;
    this.server = server;
  }

  /** Resets every connection through the proxy: both ends see the peer vanish at once. */
  cut(): void {
    for (const pair of this.pairs) this.destroy(pair, true);
  }

  /** Cuts every connection and stops listening, so that new connections are refused. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }

  /** Stops forwarding bytes either way, on open and new connections alike; nothing is closed. */
  stall(): void {
    this.stalled = true;
  }

  /** Forwards again, first what was held. */
  resume(): void {
    this.stalled = false;
    for (const pair of this.pairs) this.flush(pair);
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private open(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.upstreamPort, this.upstreamHost);
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [], upstreamReady: false };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      pair.upstreamReady = true;
      this.flush(pair);
    });
    client.on('data', (chunk: Buffer) => {
      pair.toUpstream.push(chunk);
      this.flush(pair);
    });
    upstream.on('data', (chunk: Buffer) => {
      pair.toClient.push(chunk);
      this.flush(pair);
    });
    const end = () => this.destroy(pair, false);
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
      socket.on('end', end);
    }
  }

  private flush(pair: Pair): void {
    if (this.stalled) return;
    if (pair.upstreamReady && !pair.upstream.destroyed) {
      for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    }
    if (!pair.client.destroyed) for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  private destroy(pair: Pair, reset: boolean): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (socket.destroyed) continue;
      // A reset, not a FIN: what a crashed host or a dropped route looks like to the driver.
      if (reset && socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
