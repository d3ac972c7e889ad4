/**
 * examples/crm (the contacts API behind keyward/fastify) as a bench server. CRM_MODE=in-process
 * verifies over KEYWARD_DATABASE_URL (and KEYWARD_REDIS_URL) in this process; CRM_MODE=remote asks
 * the Keyward at KEYWARD_URL with KEYWARD_VERIFY_TOKEN. Listens on PORT; SIGTERM closes (flushes usage).
 *
 *   CRM_MODE=in-process PORT=… KEYWARD_DATABASE_URL=… node --import tsx bench/servers/crm.ts
 */
import { buildCrm } from '../../examples/crm/app.ts';

const mode = process.env.CRM_MODE ?? 'in-process';
const app = await buildCrm(
  mode === 'remote'
    ? { url: process.env.KEYWARD_URL!, token: process.env.KEYWARD_VERIFY_TOKEN! }
    : {
        databaseUrl: process.env.KEYWARD_DATABASE_URL!,
        redisUrl: process.env.KEYWARD_REDIS_URL || undefined,
      },
);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
