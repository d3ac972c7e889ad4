/** Starting the servers the rows measure, and the small requests made to them outside the load. */
import { cleanEnv, freePort, type ServerProcess, startServer } from './processes.ts';

export const SERVICE_TOKEN = 'bench-service-token-0123456789';

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

export class Launcher {
  constructor(
    private readonly plansFile: string,
    private readonly logDir: string,
  ) {}

  env(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return cleanEnv({
      KEYWARD_DATABASE_URL: databaseUrl,
      KEYWARD_PLANS: this.plansFile,
      KEYWARD_LOG_LEVEL: 'warn',
      KEYWARD_SERVICE_TOKEN: SERVICE_TOKEN,
      ...extra,
    });
  }

  /** `keyward serve`, exactly as users run it. */
  async keyward(
    name: string,
    databaseUrl: string,
    extra: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const port = await freePort();
    const args = ['bin/keyward.js', 'serve', '--port', String(port)];
    return startServer({ name, args, env: this.env(databaseUrl, extra), port, logDir: this.logDir });
  }

  /** bench/servers/instrumented.ts: counts statements (IPC), cache size from BENCH_CACHE_SIZE. */
  async instrumented(
    name: string,
    databaseUrl: string,
    extra: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const port = await freePort();
    const env = this.env(databaseUrl, { PORT: String(port), ...extra });
    const args = ['--import', 'tsx', 'bench/servers/instrumented.ts'];
    return startServer({ name, args, env, port, logDir: this.logDir, ipc: true });
  }

  /** examples/crm behind keyward/fastify (bench/servers/crm.ts): `in-process` over `databaseUrl`, or `remote` asking `keywardUrl`. */
  async crm(
    name: string,
    mode: 'in-process' | 'remote',
    databaseUrl: string,
    keywardUrl?: string,
  ): Promise<ServerProcess> {
    const port = await freePort();
    const env = this.env(databaseUrl, {
      PORT: String(port),
      CRM_MODE: mode,
      ...(keywardUrl ? { KEYWARD_URL: keywardUrl, KEYWARD_VERIFY_TOKEN: SERVICE_TOKEN } : {}),
    });
    const args = ['--import', 'tsx', 'bench/servers/crm.ts'];
    return startServer({ name, args, env, port, logDir: this.logDir });
  }

  /** bench/servers/bare-write.ts: one insert of Keyward's post row per request, into `databaseUrl`. */
  async bareWrite(name: string, databaseUrl: string, workspaceId: string): Promise<ServerProcess> {
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_WORKSPACE_ID: workspaceId,
    });
    const args = ['--import', 'tsx', 'bench/servers/bare-write.ts'];
    return startServer({ name, args, env, port, logDir: this.logDir });
  }

  /** The bare Fastify app answering with `body`. */
  async baseline(name: string, body: string): Promise<ServerProcess> {
    const port = await freePort();
    const env = cleanEnv({ PORT: String(port), BENCH_BODY: body });
    return startServer({
      name,
      args: ['--import', 'tsx', 'bench/baseline-server.ts'],
      env,
      port,
      logDir: this.logDir,
    });
  }
}

/** One request before the load, so a row that would only measure errors says so instead. */
export async function expectStatus(url: string, init: RequestInit, status: number): Promise<void> {
  const res = await fetch(url, init);
  if (res.status !== status) {
    throw new Error(`expected ${status} from ${url}, got ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

export interface StatementCounts {
  counts: Record<string, number>;
  flushes: number;
}

/** Statements the instrumented server has sent so far, by kind. */
export function statementCounts(server: ServerProcess): Promise<StatementCounts> {
  return new Promise((resolve) => {
    server.child.once('message', (m) => resolve(m as StatementCounts));
    server.child.send({ type: 'snapshot' });
  });
}

/** Presents each secret once (50 at a time), loading every one into the server's cache. */
export async function presentAll(url: string, secrets: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < secrets.length) {
      const res = await fetch(`${url}/v1/ping`, { headers: bearer(secrets[next++]!) });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}
