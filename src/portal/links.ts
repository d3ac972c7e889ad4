/**
 * Portal links: the operator's backend asks for a one-time URL for one person and one workspace, and
 * opening it signs that person in — the operator's own login is the only one they ever see. A link
 * works once, for 5 minutes, and only its hash is stored.
 */

import { insertUser } from '../accounts/users.ts';
import { type Actor, recordAudit } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import { generateSecret, hashSecret } from '../core/secrets.ts';
import type { Storage } from '../storage/index.ts';
import type { MemberRow } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';

export const PORTAL_LINK_TTL_MS = 5 * 60_000;
/** Shaped like the other secrets, so the one redaction masks a link quoted anywhere. */
export const PORTAL_TOKEN_PREFIX = 'kwp_';
/** Where a portal session lands unless `return_url` names another dashboard page. */
export const PORTAL_LANDING = '/settings/api-keys';

export interface PortalLinkRequest {
  workspaceId: string;
  email: string;
  name?: string | undefined;
  role?: Role | undefined;
  /** A dashboard path (`/settings/…`) to land on, or the operator's own page to go back to. */
  returnUrl?: string | undefined;
}

/** A dashboard path the person may land on: `/settings/…`, nothing that leaves the dashboard. */
export function isDashboardPath(value: string): boolean {
  return /^\/settings(\/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?$/.test(value) && !value.startsWith('//');
}

/** The return URL as stored: a dashboard path or an absolute http(s) URL; anything else is 422. */
export function checkReturnUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (isDashboardPath(value)) return value;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    throw new KeywardError(
      'ERR_VALIDATION',
      'return_url must be a dashboard path (/settings/…) or an http(s) URL of your own page',
    );
  return url.toString();
}

/** Makes a link; the URL holds the only copy of its token. */
export async function createPortalLink(
  storage: Storage,
  publicUrl: string,
  input: PortalLinkRequest,
  actor: Actor,
  now: number,
): Promise<{ url: string; expiresAt: number }> {
  const returnUrl = checkReturnUrl(input.returnUrl);
  if (!(await storage.workspaces.get(input.workspaceId)))
    throw new KeywardError('ERR_NOT_FOUND', `Workspace ${input.workspaceId} not found.`);
  const token = generateSecret(PORTAL_TOKEN_PREFIX);
  const expiresAt = now + PORTAL_LINK_TTL_MS;
  const email = input.email.toLowerCase();
  await storage.transaction(async (tx) => {
    await tx.portalLinks.insert({
      token_hash: hashSecret(token),
      workspace_id: input.workspaceId,
      email,
      name: input.name ?? null,
      role: input.role ?? 'admin',
      return_url: returnUrl,
      created_by: actor.label ?? null,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
    });
    await recordAudit(
      tx,
      actor,
      {
        workspaceId: input.workspaceId,
        action: 'portal_session.created',
        targetType: 'user',
        targetId: null,
        after: { email, role: input.role ?? 'admin' },
      },
      now,
    );
  });
  return { url: `${publicUrl}/portal/${token}`, expiresAt };
}

export interface RedeemedLink {
  member: MemberRow;
  /** Where to send the browser: a dashboard path. */
  landing: string;
  /** The operator's page for "Back to <product>", when the link named one. */
  backUrl: string | null;
}

/**
 * Takes the link (once) and returns the person as a member of its workspace, adding them — with no
 * password — when they are not one yet. A member keeps the role they have. Unknown, used and expired
 * links are all the same answer: undefined.
 */
export async function redeemPortalLink(
  storage: Storage,
  token: string,
  now: number,
): Promise<RedeemedLink | undefined> {
  if (!token.startsWith(PORTAL_TOKEN_PREFIX) || token.length > 100) return undefined;
  return storage.transaction(async (tx) => {
    const link = await tx.portalLinks.take(hashSecret(token), now);
    if (!link) return undefined;
    const person = await tx.users.byEmail(link.email);
    const existing = person ? await tx.users.get(link.workspace_id, person.id) : undefined;
    const member =
      existing ??
      (await insertUser(
        tx,
        { workspaceId: link.workspace_id, email: link.email, name: link.name, role: link.role },
        null,
        { type: 'operator', label: link.created_by },
        now,
      ));
    const path = link.return_url !== null && isDashboardPath(link.return_url) ? link.return_url : null;
    return {
      member,
      landing: path ?? PORTAL_LANDING,
      backUrl: path === null ? link.return_url : null,
    };
  });
}
