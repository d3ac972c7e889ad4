/** Usage of every workspace (or one) per hour or day: what the operator's billing reads. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminUsageQuery, adminUsageResponse } from '../../../contract/admin.ts';
import { iso } from '../../../core/time.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors } from '../../schemas.ts';
import { seriesRange } from '../api/usage.ts';
import { adminRouteOptions } from './common.ts';

const STEP = { hour: 3_600_000, day: 86_400_000 } as const;

export const adminUsageRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;
    const admin = adminRouteOptions(deps);

    app.get(
      '/usage',
      admin(
        'Requests, errors and rate-limited requests per workspace and hour or day (buckets with no traffic left out)',
        {
          querystring: adminUsageQuery,
          response: { 200: adminUsageResponse, ...commonErrors },
        },
      ),
      async (request) => {
        const q = request.query;
        const { from, to } = seriesRange(q, clock.now());
        const stepMs = STEP[q.granularity];
        // The bucket `from` falls in is counted whole, as the management API's series does.
        const rows = await storage.usage.totalsByWorkspace(
          { from: from - (from % stepMs), to, stepMs },
          q.workspace_id,
        );
        return {
          data: rows.map(({ bucket, ...counts }) => ({
            workspace_id: counts.workspace_id,
            t: iso(bucket),
            requests: counts.requests,
            errors_4xx: counts.errors_4xx,
            errors_5xx: counts.errors_5xx,
            rate_limited: counts.rate_limited,
          })),
        };
      },
    );
  };
