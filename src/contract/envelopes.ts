/** The envelopes every response shares: data, lists with a cursor, errors; pagination and id parameters. */
import { z } from 'zod';
import { ERRORS } from '../core/errors.ts';

export const errorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const dataEnvelope = <T extends z.ZodType>(item: T) => z.object({ data: item });

export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  // Any string: one that was not issued is a bad cursor (400, in decodeCursor), not a validation error.
  cursor: z.string().optional(),
});

// Any string: an id that does not exist (or is empty) is simply not found, never a validation error.
/**
 * An id in a path. PostgreSQL cannot hold a NUL (`%00`) in text, so each becomes U+FFFD, the
 * replacement character: no id has one, so the lookup finds nothing and the answer is the usual 404
 * on both dialects, naming the id much as it was sent.
 */
export const pathId = z
  .string()
  .max(200)
  .transform((id) => (id.includes('\0') ? id.replaceAll('\0', '\uFFFD') : id));

export const idParams = z.object({ id: pathId });

export const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
export const deletedResponse = dataEnvelope(deletedSchema);

/** A point in time as the API writes it: ISO-8601 in UTC with milliseconds. */
export const timestamp = z.string().meta({ format: 'date-time', examples: ['2026-03-14T09:26:53.589Z'] });

/**
 * A PATCH body: every field optional, at least one sent (`minProperties: 1` in the document, and a
 * 422 naming the rule otherwise).
 */
export const atLeastOneField = <T extends z.ZodObject>(body: T) =>
  body
    .refine((b) => Object.keys(b as object).length > 0, 'send at least one field to change')
    .meta({ minProperties: 1 });
