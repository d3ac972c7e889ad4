/**
 * Cross-site requests: a browser names the page that sent a request in `Origin`. Sign-in, setup and
 * every state-changing management call from another origin are refused (login CSRF, cross-site
 * writes); scripts that send no Origin, and the dashboard's own origin, are served.
 */
import { it } from 'vitest';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { PASSWORD, setupOwner } from '../support/session.ts';

describeDialects('the Origin of management calls', (create) => {
  const t = useApp(create);
  const own = 'http://localhost:80';

  it('sign-in from another origin is 403 ERR_FORBIDDEN; from the dashboard or with no Origin it works', async () => {
    await setupOwner(t(), 'origin-owner@acme.test');
    const signIn = (origin?: string) =>
      t().app.inject({
        method: 'POST',
        url: '/api/session',
        headers: origin ? { origin, host: 'localhost:80' } : { host: 'localhost:80' },
        payload: { email: 'origin-owner@acme.test', password: PASSWORD },
      });
    for (const foreign of ['https://evil.example', 'null', 'http://localhost:8080', 'https://localhost:80']) {
      expectError(await signIn(foreign), 403, 'ERR_FORBIDDEN');
    }
    expectData(await signIn(own));
    expectData(await signIn());
  });

  it('a state-changing call with the right CSRF token but a foreign Origin is refused; reads are not', async () => {
    // The owner made by the test above signs in again.
    const session = await signedIn(t());
    const call = (method: 'GET' | 'POST', url: string, origin: string, payload?: unknown) =>
      t().app.inject({
        method,
        url,
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
          origin,
          host: 'localhost:80',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        payload: payload === undefined ? undefined : JSON.stringify(payload),
      });
    expectError(
      await call('POST', '/api/keys', 'https://evil.example', { name: 'x', scope: 'read' }),
      403,
      'ERR_FORBIDDEN',
    );
    expectData(await call('POST', '/api/keys', own, { name: 'x', scope: 'read' }), 201);
    expectData(await call('GET', '/api/keys', 'https://evil.example'));
  });
});

async function signedIn(app: ReturnType<ReturnType<typeof useApp>>) {
  const r = await app.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: 'origin-owner@acme.test', password: PASSWORD },
  });
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return { cookie, csrf: (r.json() as { data: { csrf_token: string } }).data.csrf_token };
}
