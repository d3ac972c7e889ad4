/** Dashboard accounts: roles, users, first-run setup, sign-in and the session (with its CSRF token). */
import { z } from 'zod';
import { timestamp } from './envelopes.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './limits.ts';
import { workspaceSchema } from './workspace.ts';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };
export const ROLES = ['owner', 'admin', 'member'] as const;

export const roleSchema = z.enum(ROLES);
export const emailSchema = z.string().trim().toLowerCase().email().max(254);
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`);

export const userSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  /** When they joined this workspace. */
  created_at: timestamp,
});

/** One of the signed-in person's workspaces (the dashboard's switcher). */
export const membershipSchema = z.object({
  workspace_id: z.string(),
  workspace_name: z.string(),
  role: roleSchema,
});

// The team is small: one page, never a cursor.
export const userListSchema = z.object({ data: z.array(userSchema), next_cursor: z.null() });

export const sessionSchema = z.object({
  user: userSchema,
  workspace: workspaceSchema,
  memberships: z.array(membershipSchema),
  csrf_token: z.string(),
  expires_at: timestamp,
  /** The operator's page a portal session came from: the dashboard shows "Back to <product>". */
  return_url: z
    .string()
    .meta({ format: 'uri', examples: ['https://app.example.com/settings/developers'] })
    .nullable(),
});

export const setupStatusSchema = z.object({ needed: z.boolean() });
export const setupBody = z.object({
  workspace_name: z.string().trim().min(1).max(200),
  email: emailSchema,
  password: passwordSchema,
});
export const signInBody = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(MAX_PASSWORD_LENGTH),
});
export const signedOutSchema = z.object({ signed_out: z.literal(true) });

export const nameSchema = z.string().trim().min(1).max(200);
/** Without a password a new person signs in only through portal links; a person who already has an account keeps theirs. */
export const createUserBody = z.object({
  email: emailSchema,
  password: passwordSchema.optional(),
  name: nameSchema.optional(),
  role: roleSchema,
});
/** Moves the session to another of the person's workspaces. */
export const switchWorkspaceBody = z
  .object({ workspace_id: z.string().min(1).max(200) })
  .meta({ minProperties: 1 });
export const patchUserBody = z.object({ role: roleSchema }).meta({ minProperties: 1 });
