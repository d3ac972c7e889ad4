/** Response serialization from zod schemas: the same JSON as JSON.stringify, nullables without runtime validation. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSerializer, withNullables } from './serializer.ts';

const schema = z.object({
  data: z.object({
    name: z.string().nullable(),
    kind: z.enum(['api_key', 'integration_token']).nullable(),
    ratelimit: z.object({ limit: z.number(), reset: z.number().int() }).nullable(),
    count: z.number().int().nullable(),
    scopes: z.array(z.string()),
    ok: z.literal(true),
  }),
});
const serialize = compileSerializer({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never);

describe('response serializer', () => {
  it('writes what JSON.stringify writes, with values and with nulls', () => {
    const full = {
      data: {
        name: 'a "quoted" name',
        kind: 'api_key',
        ratelimit: { limit: 10.5, reset: 1_800_000_000 },
        count: 3,
        scopes: ['read'],
        ok: true,
      },
    };
    const empty = { data: { name: null, kind: null, ratelimit: null, count: null, scopes: [], ok: true } };
    for (const value of [full, empty]) expect(serialize(value)).toBe(JSON.stringify(value));
  });

  it('turns `anyOf: [x, null]` into a nullable x, leaving other unions alone', () => {
    const nullable = { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'null' }] };
    expect(withNullables({ type: 'object', properties: { r: nullable } })).toEqual({
      type: 'object',
      properties: { r: { type: 'object', properties: { a: { type: 'string' } }, nullable: true } },
    });
    const union = { anyOf: [{ type: 'string' }, { type: 'number' }] };
    expect(withNullables(union)).toEqual(union);
  });
});
