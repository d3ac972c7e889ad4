import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, redactValue } from './redact.ts';
import { generateSecret } from './secrets.ts';

const webhookSecrets = [
  'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  'whsec_ab+cd/ef+gh/ij+kl/mn+op/qr+st/uv+w==',
  'whsec_ab%2Bcd%2Fef%2Bgh%2Fij%2Bkl%2Fmn%2Bop%2Fqr%3D',
];

describe('redactSecrets', () => {
  it('masks API keys, integration and operator tokens wherever they sit in a text', () => {
    for (const prefix of ['spk_', 'spi_', 'kwo_', 'acme_']) {
      const secret = generateSecret(prefix);
      for (const text of [
        secret,
        `/v1/boards/${secret}`,
        `key=${secret}&x=1`,
        `foo_${secret}`,
        `"${secret}"`,
      ]) {
        const out = redactSecrets(text);
        expect(out).not.toContain(secret.slice(prefix.length, prefix.length + 20));
        expect(out).toContain(REDACTED);
      }
    }
  });

  it('masks webhook secrets, with + and / and percent-encoded', () => {
    for (const secret of webhookSecrets) {
      expect(redactSecrets(`the secret ${secret} is wrong`)).toBe(`the secret ${REDACTED} is wrong`);
    }
  });

  // Found by the long fuzz run: `/v1/boards/<whsec_…/…>/<whsec_…>` showed the second secret's body,
  // because the first match swallowed its `whsec` and left `_<body>`.
  it('masks secrets glued to each other, in any order', () => {
    const keys = [generateSecret('spk_'), generateSecret('kwo_'), ...webhookSecrets];
    for (const a of keys) {
      for (const b of keys) {
        for (const glue of ['', '/', '+']) {
          const out = redactSecrets(`No route for POST /v1/boards/${a}${glue}${b}.`);
          for (const s of [a, b]) expect(out).not.toContain(s.slice(s.indexOf('_') + 1).slice(-12));
        }
      }
    }
  });

  it('leaves ids, words and short strings alone', () => {
    for (const text of ['brd_4f9a2c81d7e3b6a0', 'No route for GET /v1/nothing.', 'whsec_short', 'board_id']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('keeps the shape of structured details', () => {
    const secret = generateSecret('spk_');
    expect(redactValue({ issues: [{ path: ['name'], message: `bad ${secret}` }] })).toEqual({
      issues: [{ path: ['name'], message: `bad ${REDACTED}` }],
    });
  });
});
