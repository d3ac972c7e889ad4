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

export const compileSerializer: FastifySerializerCompiler<ZodSchema> = (route) => {
  try {
    const jsonSchema = z.toJSONSchema(route.schema, {
      io: 'output',
      unrepresentable: 'any',
      target: 'draft-7',
    });
    return fastJson(jsonSchema as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
  } catch {
    // A schema JSON Schema cannot express exactly still serializes, through zod.
    return zodSerializerCompiler(route as never) as (data: unknown) => string;
  }
};
