/**
 * Several requests on one real keep-alive connection: the bearer hook remembers the digest of the
 * secret last sent on a connection (SecretMemo), which must never let one secret stand for another
 * or outlive a revocation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokeCredential } from '../../src/credentials/lifecycle.ts';
import { describeDialects, useApp } from './harness.ts';

interface Answer {
  status: number;
  body: { data?: { credential: { id: string } }; error?: { code: string } };
  reusedSocket: boolean;
}

describeDialects('one keep-alive connection, several keys', (create) => {
  const t = useApp(create);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let port = 0;

  beforeAll(async () => {
    await t().app.listen({ port: 0, host: '127.0.0.1' });
    port = (t().app.server.address() as AddressInfo).port;
  });
  afterAll(() => agent.destroy());

  const ping = (secret: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/v1/ping', agent, headers: { authorization: `Bearer ${secret}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), reusedSocket: req.reusedSocket }),
          );
        },
      );
      req.on('error', reject);
    });

  it('each request is its own key, a wrong one next to a right one fails, and a revocation holds', async () => {
    const ws = await t().workspace();
    const a = await t().key(ws, 'read');
    const b = await t().key(ws, 'read');
    const forged = a.secret.slice(0, -1) + (a.secret.endsWith('A') ? 'B' : 'A');
    expect(forged.length).toBe(a.secret.length);

    const answers: Answer[] = [];
    for (const secret of [a.secret, a.secret, b.secret, a.secret, forged, a.secret, b.secret, b.secret]) {
      answers.push(await ping(secret));
    }
    expect(answers.slice(1).every((x) => x.reusedSocket)).toBe(true);
    expect(answers.map((x) => x.body.data?.credential.id ?? x.body.error?.code)).toEqual([
      a.id,
      a.id,
      b.id,
      a.id,
      'ERR_UNAUTHENTICATED',
      a.id,
      b.id,
      b.id,
    ]);

    await revokeCredential(t().deps.credentials, ws, b.id);
    const after = await ping(b.secret);
    expect(after.reusedSocket).toBe(true);
    expect([after.status, after.body.error?.code]).toEqual([401, 'ERR_KEY_REVOKED']);
    expect((await ping(a.secret)).body.data?.credential.id).toBe(a.id);
  });
});
