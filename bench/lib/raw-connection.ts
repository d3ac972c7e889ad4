/**
 * One keep-alive HTTP/1.1 connection for the paced generator, on a bare TCP socket: a request is a
 * prebuilt buffer written as is, and an answer is framed by its Content-Length, nothing else parsed
 * but the status code.
 *
 * Why not an HTTP client: a paced row's p99 is judged in milliseconds, and the generator shares the
 * machine's two cores with the server. An HTTP client builds header objects, a parser state and
 * promises per request; undici's cost here was ~60 µs of CPU per request, and its pauses showed up
 * as the generator's own lag. This costs a few µs per request. It only has to understand the answers
 * of the servers under test (Fastify always sends Content-Length for the bodies they answer with);
 * an answer it cannot frame fails the connection loudly rather than being guessed at.
 */
import { connect, type Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;

export interface AnswerSink {
  /** The whole answer arrived (body read to its end); the connection is idle again. */
  answered(connection: RawConnection, exchange: number, status: number): void;
  /** The request failed; the connection is idle again and opens a fresh socket for the next one. */
  failed(connection: RawConnection, exchange: number, err: Error): void;
}

/** Builds the bytes of one request; the host header and length are filled in. */
export function requestBytes(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const payload = body === undefined ? undefined : Buffer.from(body);
  if (payload) lines.push(`content-length: ${payload.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}

export class RawConnection {
  /** Opened for the next request after a failure, not at once: a server that is gone is not hammered. */
  private socket: Socket | undefined;
  /** The caller's tag of the request on this connection; -1 when idle. */
  private exchange = -1;
  private pending: Buffer | undefined;
  /** Bytes of the current answer's body still to come; -1 while its head is being read. */
  private bodyLeft = -1;
  private status = 0;
  private closeAfter = false;
  /** When the request on the connection was written (performance.now()). */
  private sentAt = 0;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly host: string,
    private readonly sink: AnswerSink,
    private readonly timeoutMs: number,
  ) {}

  /** Fails the request on the connection if it has waited longer than the timeout (a timer per request costs). */
  expire(now: number): void {
    if (this.exchange >= 0 && now - this.sentAt > this.timeoutMs) this.fail(this.socket, new TimeoutError());
  }

  get idle(): boolean {
    return this.exchange < 0;
  }

  /** Sends one request; the connection must be idle. `exchange` comes back with its answer. */
  send(bytes: Buffer, exchange: number): void {
    this.exchange = exchange;
    this.bodyLeft = -1;
    this.sentAt = performance.now();
    this.socket ??= this.open();
    this.socket.write(bytes);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private open(): Socket {
    const socket = connect({ port: this.port, host: this.host, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => this.fail(socket, err));
    socket.on('close', () => this.fail(socket, new Error('connection closed by the server')));
    return socket;
  }

  private read(chunk: Buffer): void {
    if (this.exchange < 0) {
      this.fail(this.socket, new Error('bytes with no request on the connection'));
      return;
    }
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (this.bodyLeft < 0) {
      const end = data.indexOf(HEAD_END);
      if (end < 0) {
        this.pending = data;
        return;
      }
      const head = data.toString('latin1', 0, end);
      const length = CONTENT_LENGTH.exec(head);
      if (!head.startsWith('HTTP/1.1 ') || !length) {
        this.fail(this.socket, new Error(`cannot frame the answer: ${head.split('\r\n')[0]}`));
        return;
      }
      this.status = Number(head.slice(9, 12));
      this.closeAfter = CLOSE.test(head);
      this.bodyLeft = Number(length[1]);
      data = data.subarray(end + HEAD_END.length);
    }
    this.bodyLeft -= data.length;
    if (this.bodyLeft > 0) return;
    if (this.bodyLeft < 0) {
      this.fail(this.socket, new Error('more bytes than the answer announced'));
      return;
    }
    const exchange = this.exchange;
    this.exchange = -1;
    if (this.closeAfter) this.drop();
    this.sink.answered(this, exchange, this.status);
  }

  /** The socket failed (or timed out): the request on it, if any, failed with it. */
  private fail(socket: Socket | undefined, err: Error): void {
    if (this.closed || socket !== this.socket) return; // a dropped socket's last events
    const exchange = this.exchange;
    this.exchange = -1;
    this.drop();
    if (exchange >= 0) this.sink.failed(this, exchange, err);
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.pending = undefined;
  }
}

export class TimeoutError extends Error {
  constructor() {
    super('no answer in time');
  }
}
