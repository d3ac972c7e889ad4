/**
 * Response serialization: each route's zod response schema is turned into JSON Schema once and
 * compiled with fast-json-stringify (what Fastify itself uses), instead of re-validating every
 * response with zod. Types still flow from the zod schemas; handlers build responses from them.
 */
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ZodSchema = z.ZodType;

/**
 * zod writes `x | null` as `anyOf: [x, {type: 'null'}]`, which fast-json-stringify can only serialize
 * by validating each branch at runtime (ajv, per field, per response); `{...x, nullable: true}`
 * serializes the same JSON directly (a copy is rewritten, not the input). This schema is used for serialization only (OpenAPI comes from
 * the zod schemas through @fastify/swagger), so the rewrite changes no document.
 */
export function withNullables(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withNullables);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  const anyOf = node.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullAt = anyOf.findIndex((s) => (s as { type?: unknown }).type === 'null');
    const other = anyOf[1 - nullAt] as Record<string, unknown> | undefined;
    if (nullAt !== -1 && other && typeof other.type === 'string') {
      const { anyOf: _, ...rest } = node;
      return withNullables({ ...rest, ...other, nullable: true });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = withNullables(v);
  return out;
}

export const compileSerializer: FastifySerializerCompiler<ZodSchema> = (route) => {
  try {
    const jsonSchema = z.toJSONSchema(route.schema, {
      io: 'output',
      unrepresentable: 'any',
      target: 'draft-7',
    });
    return fastJson(withNullables(jsonSchema) as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
  } catch {
    // A schema JSON Schema cannot express exactly still serializes, through zod.
    return zodSerializerCompiler(route as never) as (data: unknown) => string;
  }
};
