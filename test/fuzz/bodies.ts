/**
 * Request bodies from an operation's JSON schema: mostly valid-ish values (so the fuzzer reaches the
 * handlers and the database, not only validation), mutated ones (a field missing, of the wrong type,
 * hostile text, unknown or prototype keys), and bodies no schema allows: bad JSON, another content
 * type, deep nesting, more than the 1 MiB limit.
 */
import fc from 'fast-check';
import type { JsonSchema } from './openapi.ts';
import { textArb, WEIRD } from './values.ts';

/**
 * What is sent. `json` is serialised when sent (placeholders in its strings become secrets);
 * `deep` and `big` are built when sent, so plans stay small.
 */
export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType?: string }
  | { kind: 'text'; text: string; contentType?: string }
  | { kind: 'deep'; depth: number; open: '[' | '{"a":' }
  | { kind: 'big'; bytes: number; contentType: string };

/** A public address that needs no DNS (TEST-NET-3); the test app runs no webhook worker. */
const WEBHOOK_URL = 'https://203.0.113.7/keyward';
const PASSWORD = 'correct horse battery staple';
const URLS = [
  WEBHOOK_URL,
  'http://203.0.113.7/',
  'https://127.0.0.1/x',
  'https://169.254.169.254/latest/meta-data',
  'https://[::1]/',
  'https://[::ffff:10.0.0.1]/',
  'https://localhost/hook',
  'https://receiver.invalid/hook',
  'ftp://203.0.113.7/',
  'javascript:alert(1)',
  'https://user:pass@203.0.113.7/',
  `https://203.0.113.7/${'p'.repeat(2100)}`,
  'not a url',
];
// The first users the target makes (fuzz-<role>-<n>): a sign-in may succeed.
const EMAILS = [
  'fuzz-owner-1@acme.test',
  'fuzz-member-2@acme.test',
  'a@acme.test',
  'OWNER@ACME.TEST',
  'a@b',
  'a@@b.test',
  '"q"@acme.test',
  'x@acme.test\u0000',
];

/** A value that matches the schema, or nearly (strings by name and format, numbers at the bounds). */
export function validArb(schema: JsonSchema, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validArb(a, name, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(properties)) record[key] = validArb(sub, key, depth + 1);
      const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
      return fc.record(record, { requiredKeys });
    }
    case 'array': {
      const items = schema.items ?? {};
      const min = schema.minItems ?? 0;
      return fc.array(validArb(items, name, depth + 1), {
        minLength: min,
        maxLength: Math.min(schema.maxItems ?? 4, min + 3),
      });
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? 1_000_000;
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return stringArb(schema, name);
  }
}

let serial = 0;

function stringArb(schema: JsonSchema, name: string): fc.Arbitrary<string> {
  const max = schema.maxLength ?? 60;
  if (schema.format === 'date-time' || name === 'at' || name.endsWith('_at'))
    return fc
      .date({ min: new Date('2020-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (schema.format === 'email' || name.includes('email'))
    return fc.oneof(
      fc.nat().map((n) => `fuzz-${n}@acme.test`),
      fc.constantFrom(...EMAILS),
    );
  if (name === 'url' || schema.format === 'uri')
    return fc.oneof(
      { weight: 3, arbitrary: fc.nat({ max: 99 }).map((n) => `${WEBHOOK_URL}/${n}`) },
      { weight: 2, arbitrary: fc.constantFrom(...URLS) },
    );
  if (name === 'password') return fc.constantFrom(PASSWORD, PASSWORD, 'short', 'x'.repeat(200));
  if (name === 'slug' || schema.pattern === '^[a-z0-9]+(?:-[a-z0-9]+)*$')
    return fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,6})?$/);
  if (name === 'rate_limit')
    return fc.constantFrom('10/s', '1000/h', '5/m', '0/h', '1/0s', 'x', '99999999999999/d');
  // Names, titles, voters: mostly unique so creates do not all conflict; sometimes hostile.
  return fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((n) => `fuzz ${n} ${++serial}`.slice(0, Math.max(1, max))) },
    { weight: 2, arbitrary: textArb(max) },
  );
}

/** A JSON value no schema expects: any type, deep, prototype keys, hostile numbers and strings. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 0, -1, 1e308, -0, true, '', [], {}, [null], { '': '' }, WEIRD),
  textArb(200),
);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];

/** A valid-ish object broken in one place. */
function mutatedArb(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom('drop', 'wrong', 'extra', 'proto', 'hostile'), anyJson)
    .map(([value, pick, how, junk]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return junk;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys.length > 0 ? keys[pick % keys.length]! : 'name';
      if (how === 'drop') delete copy[key];
      else if (how === 'wrong' || how === 'hostile') copy[key] = junk;
      else if (how === 'extra') copy[`extra_${pick % 5}`] = junk;
      // A literal "__proto__" key, as JSON.parse makes it (an own property, not the prototype).
      else
        Object.defineProperty(copy, PROTO_KEYS[pick % PROTO_KEYS.length]!, { value: junk, enumerable: true });
      return copy;
    });
}

const BAD_JSON = [
  '',
  ' ',
  '{',
  '{"a":',
  '{"name": "x",}',
  "{'name': 'x'}",
  '{"name": NaN}',
  '{"name": 1e999999}',
  '[1, 2',
  'null',
  'undefined',
  '"\\ud800"',
  '{"name": "\\u0000"}',
  '\uFEFF{"name": "bom"}',
  '{"name":"x"}{"name":"y"}',
  '{"name":"x", "name": {"__proto__": {"admin": true}}}',
  '{"__proto__": {"polluted": 1}}',
  '{"constructor": {"prototype": {"polluted": 1}}}',
  '\u0000',
  '{"a":"\\x41"}',
];

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/jsonx',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/vnd.api+json',
  '*/*',
  'json',
  '',
];

/** A body for an operation: its schema when it has one, otherwise mostly none. */
export function bodyArb(schema: JsonSchema | undefined): fc.Arbitrary<BodyPlan> {
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((value): BodyPlan => ({ kind: 'json', value }));
  const hostile: fc.WeightedArbitrary<BodyPlan>[] = [
    { weight: 2, arbitrary: json(anyJson) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_JSON).map((text): BodyPlan => ({ kind: 'text', text })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom('{"name":"x"}', 'name=x', '<a/>', ''))
        .map(([contentType, text]): BodyPlan => ({ kind: 'text', text, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(100, 2_000, 20_000, 200_000), fc.constantFrom('[' as const, '{"a":' as const))
        .map(([depth, open]): BodyPlan => ({ kind: 'deep', depth, open })),
    },
  ];
  if (!schema)
    return fc.oneof({ weight: 12, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) }, ...hostile);
  const valid = validArb(schema);
  return fc.oneof(
    { weight: 16, arbitrary: json(valid) },
    { weight: 5, arbitrary: json(mutatedArb(valid)) },
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
    ...hostile,
  );
}

/** Rarely: a body larger than the 1 MiB limit (or just under it), JSON or not. */
export const bigBodyArb: fc.Arbitrary<BodyPlan> = fc
  .tuple(fc.constantFrom(1_048_000, 1_048_577, 3_000_000), fc.constantFrom('application/json', 'text/plain'))
  .map(([bytes, contentType]) => ({ kind: 'big', bytes, contentType }));

/** The bytes and content type a body plan sends; `fill` puts secrets in place of placeholders. */
export function bodyBytes(
  plan: BodyPlan,
  fill: (text: string) => string,
): { text: string; contentType: string | undefined } | undefined {
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'json':
      return {
        text: fill(JSON.stringify(plan.value) ?? 'null'),
        contentType: plan.contentType ?? 'application/json',
      };
    case 'text':
      return { text: fill(plan.text), contentType: plan.contentType ?? 'application/json' };
    case 'deep': {
      const close = plan.open === '[' ? ']' : '}';
      return {
        text: `${plan.open.repeat(plan.depth)}1${close.repeat(plan.depth)}`,
        contentType: 'application/json',
      };
    }
    case 'big': {
      const text =
        plan.contentType === 'application/json'
          ? `{"name":"${'x'.repeat(Math.max(0, plan.bytes - 11))}"}`
          : 'x'.repeat(plan.bytes);
      return { text, contentType: plan.contentType };
    }
  }
}
