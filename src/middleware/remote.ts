/**
 * Verification through a running Keyward: `POST /v1/keys/verify` with a verify operator token, over
 * keep-alive connections. The answer becomes the same outcome the in-process verifier gives, so
 * the middleware answers exactly as Keyward's own routes: the code, the credential, the budget (its
 * headers), the grace end of a rotated secret (`X-Token-Expires-At`) and which budget refused.
 */
import http from 'node:http';
import https from 'node:https';
import type { AuthCredential, AuthOutcome, AuthVerifier } from '../auth/authenticate.ts';
import { CODE_TO_ERROR, type VerifyCode } from '../core/outcome.ts';
import type { RemoteOptions } from './core.ts';

const CODES = new Map<string, VerifyCode>([
  ['VALID', 'VALID'],
  ...Object.entries(CODE_TO_ERROR).map(
    ([code, error]) => [error, code as VerifyCode] as [string, VerifyCode],
  ),
]);

interface VerifyAnswer {
  data: {
    valid: boolean;
    code: string;
    workspace_id: string | null;
    credential_id: string | null;
    kind: 'api_key' | 'integration_token' | null;
    scopes: string[];
    ratelimit: { limit: number; remaining: number; reset: number } | null;
  };
}

/** Keyward could not be asked (down, timed out, refused the operator token): the request gets 503. */
export class KeywardUnavailableError extends Error {
  readonly keywardUnavailable = true;
}

/** The verify API's longest accepted key: a longer one cannot be valid. */
const MAX_KEY_LENGTH = 200;

export class RemoteVerifier implements AuthVerifier {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: RemoteOptions) {
    this.endpoint = new URL('/v1/keys/verify', options.url.endsWith('/') ? options.url : `${options.url}/`);
    const secure = this.endpoint.protocol === 'https:';
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 64 })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.authorization = `Bearer ${options.token}`;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  verify(secret: string, _now: number, scope?: string): Promise<AuthOutcome> {
    if (secret.length > MAX_KEY_LENGTH) return Promise.resolve(unauthenticated());
    const body = JSON.stringify(scope === undefined ? { key: secret } : { key: secret, scope });
    return new Promise((resolve, reject) => {
      const send = this.endpoint.protocol === 'https:' ? https.request : http.request;
      const req = send(this.endpoint, {
        method: 'POST',
        agent: this.agent,
        timeout: this.timeoutMs,
        headers: {
          authorization: this.authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('timeout', () => req.destroy(new KeywardUnavailableError('Keyward did not answer in time')));
      req.on('error', (err) =>
        reject(err instanceof KeywardUnavailableError ? err : new KeywardUnavailableError(err.message)),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new KeywardUnavailableError(err.message)));
        res.on('end', () => {
          if (res.statusCode === 422) {
            // Not an outage: the route's scope is not in that Keyward's catalogue (KEYWARD_SCOPES).
            reject(
              new Error(
                `Keyward refused the verify call (422): ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
              ),
            );
            return;
          }
          if (res.statusCode !== 200) {
            reject(new KeywardUnavailableError(`Keyward's verify API answered ${res.statusCode}`));
            return;
          }
          try {
            resolve(
              outcomeOf(JSON.parse(Buffer.concat(chunks).toString('utf8')) as VerifyAnswer, res.headers),
            );
          } catch (err) {
            reject(new KeywardUnavailableError((err as Error).message));
          }
        });
      });
      req.end(body);
    });
  }

  /** Nothing is known here without asking: a blocked address stays blocked for every key. */
  knownActive(): boolean {
    return false;
  }

  close(): void {
    this.agent.destroy();
  }
}

function unauthenticated(): AuthOutcome {
  return { code: 'UNAUTHENTICATED' };
}

function outcomeOf(answer: VerifyAnswer, headers: http.IncomingHttpHeaders): AuthOutcome {
  const d = answer.data;
  const code = CODES.get(d.code);
  if (code === undefined) throw new Error(`unknown verify code ${d.code}`);
  if (code === 'UNAUTHENTICATED') return unauthenticated();
  if (!d.credential_id || !d.workspace_id || !d.kind || !d.ratelimit)
    throw new Error(`verify answer ${d.code} without its credential or budget`);
  const endsAt = headers['x-token-expires-at'];
  const credential: AuthCredential = {
    credentialId: d.credential_id,
    workspaceId: d.workspace_id,
    kind: d.kind,
    scopes: d.scopes,
    secretEndsAt: typeof endsAt === 'string' ? Date.parse(endsAt) : null,
  };
  const ratelimit = {
    key: '',
    limit: d.ratelimit.limit,
    remaining: d.ratelimit.remaining,
    resetAt: d.ratelimit.reset * 1000,
  };
  if (code !== 'RATE_LIMITED') return { code, credential, ratelimit };
  const limitedBy = headers['x-keyward-limited-by'];
  if (limitedBy !== 'key' && limitedBy !== 'workspace')
    throw new Error('verify answer ERR_RATE_LIMITED without x-keyward-limited-by');
  return { code, credential, ratelimit, limitedBy };
}
