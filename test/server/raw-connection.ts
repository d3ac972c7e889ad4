/**
 * One raw HTTP/1.1 keep-alive connection over a TCP socket: the test decides exactly when each
 * request is written, and sees how the connection ended (a clean close or a reset).
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface ConnectionEnd {
  /** `end`: the server closed cleanly (FIN); `error`: the connection broke (a reset, …). */
  how: 'end' | 'error';
  error?: string;
  /** performance.now() when it happened. */
  at: number;
}

export class RawConnection {
  /** Settles when the connection ends, whoever ends it. */
  readonly ended: Promise<ConnectionEnd>;
  private buffer = '';
  private onData: (() => void) | undefined;
  private end: ConnectionEnd | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.onData?.();
    });
    this.ended = new Promise((resolve) => {
      socket.once('end', () => {
        this.end ??= { how: 'end', at: performance.now() };
        resolve(this.end);
        this.onData?.();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        this.end ??= { how: 'error', error: err.code ?? err.message, at: performance.now() };
        resolve(this.end);
        this.onData?.();
      });
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Whether the connection has ended (seen from this side). */
  get closed(): ConnectionEnd | undefined {
    return this.end;
  }

  /** Writes a GET and reads one answer (rejects if the connection ends first). */
  get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const lines = [
      `GET ${path} HTTP/1.1`,
      'host: 127.0.0.1',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    this.write(`${lines.join('\r\n')}\r\n\r\n`);
    return this.answer();
  }

  /** Writes bytes as they are (a request in parts, say). */
  write(text: string): void {
    this.socket.write(text);
  }

  /** Reads the next answer (rejects if the connection ends first). */
  answer(): Promise<RawResponse> {
    return this.read();
  }

  close(): void {
    this.socket.destroy();
  }

  private read(): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const parsed = parseResponse(this.buffer);
        if (parsed) {
          this.buffer = this.buffer.slice(parsed.length);
          this.onData = undefined;
          resolve(parsed.response);
        } else if (this.end) {
          this.onData = undefined;
          reject(new Error(`connection ended (${this.end.how} ${this.end.error ?? ''}) before an answer`));
        }
      };
      this.onData = attempt;
      attempt();
    });
  }
}

/** One complete response at the start of `text` (Content-Length framing), or undefined. */
function parseResponse(text: string): { response: RawResponse; length: number } | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const bodyStart = headEnd + 4;
  if (text.length < bodyStart + length) return undefined;
  return {
    response: {
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: Buffer.from(text.slice(bodyStart, bodyStart + length), 'latin1').toString('utf8'),
    },
    length: bodyStart + length,
  };
}
