/**
 * Hostile values for every place a request has text: path ids (real, another workspace's, of another
 * type, too long, bad percent-encoding, unicode, NUL, secrets), query values and free strings.
 * Secrets appear as placeholders (secrets.ts), filled in when the request is sent.
 */
import fc from 'fast-check';
import type { IdType, JsonSchema } from './openapi.ts';
import { type Encoding, encodeAll, placeholder } from './secrets.ts';

/** A path parameter: an object from the target's pools (resolved when sent) or a literal segment. */
export type ParamChoice = { ref: IdType | 'foreign'; i: number } | { raw: string };

const ID_PREFIX: Record<IdType, string> = {
  board: 'brd_',
  post: 'pst_',
  vote: 'vot_',
  key: 'key_',
  integration: 'int_',
  credential: 'key_',
  user: 'usr_',
  webhook: 'whk_',
  delivery: 'dlv_',
  workspace: 'ws_',
};
export const ID_TYPES = Object.keys(ID_PREFIX) as IdType[];

const BAD_ENCODINGS = [
  '%zz',
  '%',
  '%%',
  '%C0',
  '%C0%AF',
  '%E0%80%AF',
  '%ED%A0%80',
  '%FF',
  '%E2%82',
  'a%2',
  '%u0041',
];
const ODD_SEGMENTS = [
  '..',
  '.',
  '%2e',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fpackage.json',
  '%2F',
  'a%2Fb',
  '%5C',
  '%00',
  'a%00b',
  '%0D%0A',
  '%20',
  '+',
  '0',
  '-1',
  '',
];
const NAMES = [
  'null',
  'undefined',
  '[object Object]',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];
export const WEIRD = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  '\uDFFF\uD800',
  '💥🔑',
  'ǅ̴̡̛',
  "' OR 1=1 --",
  '"; DROP TABLE boards; --',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, literally
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../etc/passwd',
  '%zz',
  '%00',
  '\r\nX-Injected: 1',
  '\\',
  ...NAMES,
];

/** URI-encodes generated text; a lone surrogate (which encodeURIComponent refuses) becomes %EF%BF%BD. */
export const encodeText = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeAll(text);
  }
};

/** A secret placeholder: any known secret, written as is, URI-encoded or every byte %XX. */
export const secretArb = (encodings: Encoding[] = ['raw']): fc.Arbitrary<string> =>
  fc.tuple(fc.nat({ max: 63 }), fc.constantFrom(...encodings)).map(([i, how]) => placeholder(i, how));

const lengthArb = fc.oneof(
  fc.integer({ min: 195, max: 205 }),
  fc.integer({ min: 95, max: 105 }),
  fc.constantFrom(1_000, 5_000, 20_000),
);

/** A path parameter naming an object of `type` (or, with `examples`, one of those real names). */
export function paramArb(
  type: IdType | undefined,
  examples: readonly string[] = [],
): fc.Arbitrary<ParamChoice> {
  const prefix = type ? ID_PREFIX[type] : 'x_';
  const index = fc.nat({ max: 15 });
  const raw = (arb: fc.Arbitrary<string>) => arb.map((r): ParamChoice => ({ raw: r }));
  const real =
    examples.length > 0
      ? raw(fc.constantFrom(...examples).map(encodeText))
      : index.map((i): ParamChoice => ({ ref: type ?? 'board', i }));
  return fc.oneof(
    { weight: 10, arbitrary: real },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...ID_TYPES), index).map(([ref, i]) => ({ ref, i })) },
    { weight: 2, arbitrary: index.map((i): ParamChoice => ({ ref: 'foreign', i })) },
    { weight: 1, arbitrary: raw(fc.stringMatching(/^[0-9a-z]{1,26}$/).map((r) => prefix + r)) },
    { weight: 1, arbitrary: raw(lengthArb.map((n) => prefix + 'a'.repeat(Math.max(0, n - prefix.length)))) },
    { weight: 1, arbitrary: raw(fc.constantFrom(...BAD_ENCODINGS).map((b) => `${prefix}${b}`)) },
    { weight: 1, arbitrary: raw(fc.constantFrom(...BAD_ENCODINGS, ...ODD_SEGMENTS)) },
    {
      weight: 1,
      arbitrary: raw(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(encodeText)),
    },
    { weight: 1, arbitrary: raw(fc.constantFrom(...WEIRD).map(encodeText)) },
    { weight: 2, arbitrary: raw(secretArb(['raw', 'uri', 'all'])) },
  );
}

/** A free string for a body field; `max` is the schema's length limit when known. */
export function textArb(max = 40): fc.Arbitrary<string> {
  const limit = Math.min(max, 60);
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: limit }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: limit }) },
    { weight: 2, arbitrary: fc.constantFrom(...WEIRD) },
    { weight: 1, arbitrary: secretArb(['raw', 'raw', 'uri']) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string({ maxLength: 5 }), secretArb()).map(([a, s]) => `${a} ${s} x`),
    },
    { weight: 1, arbitrary: fc.constantFrom(max, max + 1, 10_000).map((n) => 'x'.repeat(n)) },
  );
}

const NUMBER_GARBAGE = ['', '0', '-1', '101', '1.5', ' 1', '1 ', '0x10', '1e2', '1e999', 'NaN', 'Infinity'];
const MORE_GARBAGE = ['99999999999999999999', '-0', 'true', '[]', '{}', 'null'];
const CURSOR_GARBAGE = [
  'eyJ4IjoxfQ',
  'eyJpZCI6bnVsbH0',
  'W10',
  'bnVsbA',
  'e30',
  'not-base64!',
  '====',
  'eyJ0IjoiMjAyNC0wMS0wMVQwMDowMDowMFoiLCJpZCI6IiJ9',
  'eyJ0Ijo5OTk5OTk5OTk5OTk5OTk5OTk5OSwiaWQiOiJ4In0',
];
const DATES = [
  '2024-01-01T00:00:00Z',
  '1970-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59Z',
  '2024-02-30T00:00:00Z',
];
const TOKENS = [
  'open',
  'planned',
  'success',
  'error',
  '404',
  'hour',
  'day',
  'pending',
  'failed',
  'key.created',
];

/** One query value (already encoded) for a parameter: mostly one its schema accepts. */
export function queryValueArb(schema: JsonSchema): fc.Arbitrary<string> {
  const alternatives = schema.anyOf ?? [schema];
  const enums = alternatives.flatMap((a) => a.enum ?? []);
  const types = alternatives.map((a) => (Array.isArray(a.type) ? a.type[0] : a.type));
  const valids = [
    ...(enums.length > 0 ? [fc.constantFrom(...enums.map(String))] : []),
    ...(types.includes('integer')
      ? [fc.integer({ min: schema.minimum ?? 1, max: Math.min(schema.maximum ?? 100, 1_000) }).map(String)]
      : []),
    ...(schema.format === 'date-time' ? [fc.constantFrom(...DATES.slice(0, 3)).map(encodeText)] : []),
    ...(enums.length === 0 && types.includes('string') && schema.format !== 'date-time'
      ? [fc.constantFrom(...TOKENS)]
      : []),
  ];
  const valid = valids.length > 0 ? fc.oneof(...valids) : fc.constantFrom(...TOKENS);
  const hostile = fc.oneof(
    fc.constantFrom(...NUMBER_GARBAGE, ...MORE_GARBAGE, ...CURSOR_GARBAGE, ...DATES).map(encodeText),
    fc.constantFrom(...BAD_ENCODINGS),
    textArb(120).map(encodeText),
    secretArb(['raw', 'uri', 'all']),
    fc.constantFrom(300, 5_000).map((n) => 'c'.repeat(n)),
  );
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

/** Parameters no route declares: secrets in the query, prototype keys, broken encodings. */
export const extraQueryArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('key', 'api_key', 'access_token', 'token', 'apiKey', 'secret'),
      secretArb(['raw', 'uri']),
    )
    .map(([name, v]) => `${name}=${v}`),
  fc.constantFrom(
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    '__proto__=1',
    'a[]=1&a[]=2',
    '%zz=1',
    'limit=1&limit=2',
    'cursor=&cursor=',
    'limit',
    '&&&',
    '=',
    '?',
  ),
);

/** Headers a client might add: secrets where some APIs look for them, odd values, duplicates. */
export const extraHeaderArb: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constantFrom('x-api-key', 'x-auth-token', 'api-key', 'x-keyward-key', 'x-request-id'),
    secretArb(),
  ),
  secretArb().map((s): [string, string] => ['cookie', `api_key=${s}`]),
  fc.tuple(
    fc.constantFrom(
      'x-forwarded-for',
      'x-real-ip',
      'forwarded',
      'origin',
      'referer',
      'accept',
      'accept-encoding',
    ),
    fc.constantFrom(
      '1.2.3.4',
      '::1, 10.0.0.1',
      'unknown',
      'for="[2001:db8::1]"',
      'null',
      'https://evil.example',
      'text/html',
      '*/*',
      'gzip, br',
      'application/json;q=0',
      '',
    ),
  ),
  fc.tuple(
    fc.constantFrom('x-csrf-token', 'if-none-match', 'range', 'expect'),
    fc.constantFrom('', 'x', '*', 'bytes=0-1', '100-continue'),
  ),
  fc.string({ maxLength: 100 }).map((v): [string, string] => ['x-fuzz', v.replace(/[^\x20-\x7e]/g, '?')]),
);
