/** The admin API's members and portal sessions: people of a workspace as the operator sees them. */
import { z } from 'zod';
import { emailSchema, nameSchema, roleSchema } from './accounts.ts';
import { pathId, timestamp } from './envelopes.ts';

export const memberSchema = z
  .object({
    user_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: roleSchema,
    /** When they joined the workspace. */
    created_at: timestamp,
  })
  .meta({ id: 'Member' });

export const memberListSchema = z.object({ data: z.array(memberSchema), next_cursor: z.null() });

/** A person with this email joins (created with no password when there is none). */
export const createMemberBody = z.object({
  email: emailSchema,
  name: nameSchema.optional(),
  role: roleSchema,
});
export const patchMemberBody = z.object({ role: roleSchema }).meta({ minProperties: 1 });
export const memberParams = z.object({ id: pathId, user_id: pathId });

export const portalSessionBody = z.object({
  email: emailSchema,
  name: nameSchema.optional(),
  /** For a person who is not a member yet; a member keeps their role. Default `admin`. */
  role: roleSchema.optional(),
  /** A dashboard path (`/settings/…`) to land on, or an http(s) URL of your page ("Back to …"). */
  return_url: z
    .string()
    .min(1)
    .max(2000)
    .meta({ format: 'uri-reference', examples: ['https://app.example.com/settings/developers'] })
    .optional(),
});

export const portalSessionSchema = z
  .object({
    url: z.string().meta({ format: 'uri', examples: ['https://keyward.example.com/portal/kwp_example'] }),
    expires_at: timestamp,
  })
  .meta({ id: 'PortalSession' });
