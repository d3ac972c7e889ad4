/** The signed-in user's workspace: id, name, plan with its limits, and settings. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { diff, recordAudit } from '../../../audit/record.ts';
import { patchWorkspaceBody, workspaceSchema } from '../../../contract/workspace.ts';
import { formatRateLimit } from '../../../core/durations.ts';
import { KeywardError } from '../../../core/errors.ts';
import { iso } from '../../../core/time.ts';
import { parseWorkspaceSettings } from '../../../core/workspace-settings.ts';
import type { WorkspaceRow } from '../../../storage/repositories/workspaces.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope } from '../../schemas.ts';
import { actorOf, cookieAuth, TAGS, workspaceOf } from './common.ts';

export { workspaceSchema };

export function presentWorkspace(w: WorkspaceRow, deps: Pick<AppDeps, 'config'>) {
  const plan = deps.config.plans.get(w.plan);
  return {
    id: w.id,
    name: w.name,
    plan: w.plan,
    upgrade_url: deps.config.upgradeUrl ?? null,
    plan_limits: {
      api_access: plan?.apiAccess ?? false,
      key_rate_limit: plan ? formatRateLimit(plan.keyLimit) : '0/h',
      workspace_rate_limit: plan?.workspaceLimit ? formatRateLimit(plan.workspaceLimit) : null,
    },
    settings: parseWorkspaceSettings(w.settings),
    created_at: iso(w.created_at),
  };
}

export const workspaceRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;
    const load = async (id: string) => {
      const w = await storage.workspaces.get(id);
      if (!w) throw new KeywardError('ERR_NOT_FOUND', 'Workspace not found.');
      return w;
    };

    app.get(
      '/workspace',
      {
        config: { role: 'member' },
        schema: {
          tags: TAGS,
          summary: 'Get the workspace',
          security: cookieAuth,
          response: { 200: dataEnvelope(workspaceSchema), ...commonErrors },
        },
      },
      async (request) => ({
        data: presentWorkspace(await load(workspaceOf(request)), deps),
      }),
    );

    app.patch(
      '/workspace',
      {
        config: { role: 'owner' },
        schema: {
          tags: TAGS,
          summary: "Rename or change settings (owner); the plan is the operator's to change",
          security: cookieAuth,
          body: patchWorkspaceBody,
          response: { 200: dataEnvelope(workspaceSchema), ...commonErrors },
        },
      },
      async (request) => {
        const id = workspaceOf(request);
        // The operator sells the plans: a customer cannot move its own workspace to another one.
        if (request.body.plan !== undefined) {
          throw new KeywardError(
            'ERR_FORBIDDEN',
            'Plans are managed by the operator: ask them to change it.',
          );
        }
        const now = clock.now();
        await storage.transaction(async (tx) => {
          const current = await tx.workspaces.get(id);
          if (!current) throw new KeywardError('ERR_NOT_FOUND', 'Workspace not found.');
          const settings = { ...parseWorkspaceSettings(current.settings), ...request.body.settings };
          const next = {
            name: request.body.name ?? current.name,
            plan: current.plan,
            settings: JSON.stringify(settings),
          };
          await tx.workspaces.update(id, next);
          await tx.invalidations.record(id, null, now);
          const before = {
            name: current.name,
            plan: current.plan,
            settings: parseWorkspaceSettings(current.settings),
          };
          const changes = diff(before, { name: next.name, plan: next.plan, settings });
          await recordAudit(
            tx,
            actorOf(request),
            {
              workspaceId: id,
              action: 'workspace.updated',
              targetType: 'workspace',
              targetId: id,
              ...changes,
            },
            now,
          );
        });
        await deps.bus.publish({ workspaceId: id, credentialId: null });
        return { data: presentWorkspace(await load(id), deps) };
      },
    );
  };
