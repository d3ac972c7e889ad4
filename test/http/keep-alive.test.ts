/**
 * Several requests on one real keep-alive connection: each request is verified on its own, so one
 * secret never stands for another sent earlier on the connection, nor outlives a revocation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokeCredential } from '../../src/credentials/lifecycle.ts';
import { describeDialects, useApp } from './harness.ts';

interface Answer {
  status: number;
  body: {
    data?: { credential: { id: string }; valid?: boolean; code?: string; credential_id?: string | null };
    error?: { code: string };
  };
  reusedSocket: boolean;
}

const SERVICE_TOKEN = 'svc_keepalive_token_0123456789';

describeDialects('one keep-alive connection, several keys', (create) => {
  const t = useApp(create, { config: { serviceToken: SERVICE_TOKEN } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let port = 0;

  beforeAll(async () => {
    await t().app.listen({ port: 0, host: '127.0.0.1' });
    port = (t().app.server.address() as AddressInfo).port;
  });
  afterAll(() => agent.destroy());

  const ping = (secret: string) => send('GET', '/v1/ping', secret);
  const verify = (key: string) => send('POST', '/v1/keys/verify', SERVICE_TOKEN, JSON.stringify({ key }));

  const send = (method: string, path: string, bearer: string, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${bearer}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), reusedSocket: req.reusedSocket }),
        );
      });
      req.on('error', reject);
      req.end(body);
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

  it('verify: each call is its own key on one connection, and a revocation holds', async () => {
    const ws = await t().workspace();
    const a = await t().key(ws, 'read');
    const b = await t().key(ws, 'read');
    const forged = a.secret.slice(0, -1) + (a.secret.endsWith('A') ? 'B' : 'A');

    const answers: Answer[] = [];
    for (const key of [a.secret, a.secret, b.secret, forged, a.secret, b.secret])
      answers.push(await verify(key));
    expect(answers.slice(1).every((x) => x.reusedSocket)).toBe(true);
    expect(answers.map((x) => [x.body.data?.code, x.body.data?.credential_id])).toEqual([
      ['VALID', a.id],
      ['VALID', a.id],
      ['VALID', b.id],
      ['ERR_UNAUTHENTICATED', null],
      ['VALID', a.id],
      ['VALID', b.id],
    ]);

    await revokeCredential(t().deps.credentials, ws, b.id);
    const after = await verify(b.secret);
    expect(after.reusedSocket).toBe(true);
    expect([after.body.data?.valid, after.body.data?.code]).toEqual([false, 'ERR_KEY_REVOKED']);
    expect((await verify(a.secret)).body.data?.code).toBe('VALID');
  });
});
