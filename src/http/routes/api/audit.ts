/** The audit log and usage alerts, readable through the management API. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { alertEventSchema, auditEntrySchema, auditQuery } from '../../../contract/usage.ts';
import { iso } from '../../../core/time.ts';
import type { AuditRow } from '../../../storage/repositories/audit-log.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import { commonErrors, listEnvelope, pageQuery } from '../../schemas.ts';
import { manage, workspaceOf } from './common.ts';

const json = (text: string | null): Record<string, unknown> | null =>
  text ? (JSON.parse(text) as Record<string, unknown>) : null;

/** An audit entry as both the management API and the operators' feed answer it. */
export const presentAuditEntry = (a: AuditRow) => ({
  id: a.id,
  action: a.action,
  actor: { type: a.actor_type, id: a.actor_id, label: a.actor_label },
  target: { type: a.target_type, id: a.target_id },
  ip: a.ip,
  before: json(a.before),
  after: json(a.after),
  created_at: iso(a.created_at),
});

export const auditRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage } = deps;

    app.get(
      '/audit-log',
      manage('admin', 'Every change to credentials, integrations, users and settings', {
        querystring: auditQuery,
        response: { 200: listEnvelope(auditEntrySchema), ...commonErrors },
      }),
      async (request) => {
        const q = request.query;
        const page = await storage.audit.list(
          workspaceOf(request),
          { action: q.action, targetId: q.target_id, actorId: q.actor_id },
          { limit: q.limit, after: decodeCursor(q.cursor) },
        );
        return listResponse(page, presentAuditEntry);
      },
    );

    app.get(
      '/alerts',
      manage('member', 'Usage alerts (usage.alert events), newest first', {
        querystring: pageQuery,
        response: { 200: listEnvelope(alertEventSchema), ...commonErrors },
      }),
      async (request) => {
        const page = await storage.events.list(workspaceOf(request), 'usage.alert', {
          limit: request.query.limit,
          after: decodeCursor(request.query.cursor),
        });
        return listResponse(page, (e) => ({
          id: e.id,
          type: e.type,
          data: json(e.data) ?? {},
          created_at: iso(e.created_at),
        }));
      },
    );
  };
