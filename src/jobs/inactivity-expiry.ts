/**
 * Expires credentials unused for their workspace's inactivity window. Safe with several instances:
 * each expiry is a guarded update, and only the instance whose update landed logs it.
 */
import { recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import type { InvalidationMessage } from '../cache/invalidation-bus.ts';
import type { Clock } from '../core/clock.ts';
import { parseWorkspaceSettings } from '../core/workspace-settings.ts';
import { auditView, kindLabel } from '../credentials/lifecycle.ts';
import type { Storage } from '../storage/index.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { credentialEventData, expiredEventId } from '../webhooks/payloads.ts';

const DAY = 86_400_000;

export async function expireInactiveCredentials(
  storage: Storage,
  clock: Clock,
  notify: (m: InvalidationMessage) => Promise<void>,
): Promise<string[]> {
  const now = clock.now();
  const expired: string[] = [];
  for (const ws of await storage.workspaces.list()) {
    const days = parseWorkspaceSettings(ws.settings).inactive_expiry_days;
    if (!days) continue;
    for (const cred of await storage.credentials.inactiveSince(ws.id, now - days * DAY, now)) {
      const done = await storage.transaction(async (tx) => {
        if (!(await tx.credentials.expireIfActive(cred.id, now))) return false;
        await tx.invalidations.record(ws.id, cred.id, now);
        await recordAudit(
          tx,
          SYSTEM_ACTOR,
          {
            workspaceId: ws.id,
            action: `${kindLabel(cred)}.expired`,
            targetType: kindLabel(cred),
            targetId: cred.id,
            before: auditView(cred),
            after: { ...auditView(cred), expires_at: now, reason: `unused for ${days} days` },
          },
          now,
        );
        const data = credentialEventData({ ...cred, expires_at: now }, { reason: `unused for ${days} days` });
        await emitEvent(tx, ws.id, 'credential.expired', data, now, { id: expiredEventId(cred.id, now) });
        return true;
      });
      if (done) {
        expired.push(cred.id);
        await notify({ workspaceId: ws.id, credentialId: cred.id });
      }
    }
  }
  return expired;
}
