/**
 * Runs the example: remote mode when KEYWARD_URL and KEYWARD_VERIFY_TOKEN are set, otherwise in
 * process over KEYWARD_DATABASE_URL (default Keyward's own sqlite:./data/keyward.db) and
 * KEYWARD_REDIS_URL.
 *
 *     node --import tsx examples/crm/server.ts          # http://127.0.0.1:8080
 */
import { buildCrm } from './app.ts';

const remote = process.env.KEYWARD_URL && process.env.KEYWARD_VERIFY_TOKEN;
const app = await buildCrm(
  remote
    ? { url: process.env.KEYWARD_URL!, token: process.env.KEYWARD_VERIFY_TOKEN! }
    : {
        databaseUrl: process.env.KEYWARD_DATABASE_URL ?? 'sqlite:./data/keyward.db',
        redisUrl: process.env.KEYWARD_REDIS_URL,
      },
);
const port = Number(process.env.CRM_PORT ?? 8080);
await app.listen({ port, host: process.env.CRM_HOST ?? '127.0.0.1' });
console.log(`crm example on http://127.0.0.1:${port} (${remote ? 'remote' : 'in-process'} verification)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    // Closing the app closes Keyward's backend too: usage is flushed.
    void app.close().then(() => process.exit(0));
  });
