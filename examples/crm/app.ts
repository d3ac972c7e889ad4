/**
 * A small contacts API protected by Keyward: GET /contacts needs contacts:read, POST /contacts
 * contacts:write. Each workspace (one of your customers) sees only its own contacts.
 *
 * In your own project the import is `import keyward from 'keyward/fastify';`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import keyward, { type KeywardOptions } from '../../src/middleware/fastify.ts';

interface Contact {
  id: string;
  name: string;
  email: string | null;
  created_at: string;
}

export async function buildCrm(options: KeywardOptions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(keyward, options);

  const contacts = new Map<string, Contact[]>(); // by workspace id
  let next = 1;

  app.get('/contacts', { config: { scope: 'contacts:read' } }, async (request) => ({
    data: contacts.get(request.keyward.workspaceId) ?? [],
  }));

  app.post<{ Body: { name?: unknown; email?: unknown } }>(
    '/contacts',
    { config: { scope: 'contacts:write' } },
    async (request, reply) => {
      const { name, email } = request.body ?? {};
      if (typeof name !== 'string' || name.length === 0)
        return reply.code(422).send({ error: { code: 'ERR_VALIDATION', message: 'name is required.' } });
      const contact: Contact = {
        id: `ct_${next++}`,
        name,
        email: typeof email === 'string' ? email : null,
        created_at: new Date().toISOString(),
      };
      const list = contacts.get(request.keyward.workspaceId) ?? [];
      list.push(contact);
      contacts.set(request.keyward.workspaceId, list);
      return reply.code(201).send({ data: contact });
    },
  );

  // A route without a scope is not checked at all.
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}
