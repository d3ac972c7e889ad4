/**
 * The apps the case table runs against: Keyward's own /v1 routes, and a small API protected by
 * keyward/fastify or keyward/express, in remote mode (through the running Keyward's verify API) or
 * in process (over the same database and Redis). Each listens on a free port and is called over HTTP.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import keywardExpress, { requireScope } from '../../src/middleware/express.ts';
import keywardFastify, { type KeywardOptions } from '../../src/middleware/fastify.ts';

export interface Target {
  name: string;
  base: string;
  close(): Promise<void>;
}

export type Mode = 'remote' | 'in-process';

/** A Fastify API with the demo routes' scopes, answering the caller's identity. */
export async function fastifyTarget(name: string, options: KeywardOptions): Promise<Target> {
  const app = Fastify();
  await app.register(keywardFastify, options);
  app.get('/v1/boards', { config: { scope: 'boards:read' } }, async (request) => ({ data: request.keyward }));
  app.post('/v1/boards', { config: { scope: 'boards:write' } }, async (request, reply) =>
    reply.code(201).send({ data: request.keyward }),
  );
  app.get('/v1/ping', { config: { scope: 'any' } }, async (request) => ({ data: request.keyward }));
  app.get('/open', async () => ({ data: 'no scope, no check' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    name,
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}

/** The same API on Express. */
export async function expressTarget(name: string, options: KeywardOptions): Promise<Target> {
  const app = express();
  const auth = keywardExpress(options);
  await auth.ready();
  app.use(express.json(), auth);
  app.get('/v1/boards', requireScope('boards:read'), (req, res) => {
    res.json({ data: req.keyward });
  });
  app.post('/v1/boards', requireScope('boards:write'), (req, res) => {
    res.status(201).json({ data: req.keyward });
  });
  app.get('/v1/ping', requireScope('any'), (req, res) => {
    res.json({ data: req.keyward });
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    name,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
    },
  };
}
