/** Usage time series per credential and per workspace, the recent-request log, and budget use. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { listEnvelope } from '../../../contract/envelopes.ts';
import { requestLogEntrySchema, requestsQuery, seriesQuery, seriesSchema } from '../../../contract/usage.ts';
import { parseRateLimit } from '../../../core/durations.ts';
import { KeywardError } from '../../../core/errors.ts';
import { iso } from '../../../core/time.ts';
import type { Budget } from '../../../limits/rate-limiter.ts';
import type { UsageHourRow } from '../../../storage/repositories/usage.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, idParams } from '../../schemas.ts';
import { manage, workspaceOf } from './common.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_POINTS = 24 * 92;

/** Buckets hourly rows into hour or day points from `from` to `to`, zero-filled for charts. */
export function toSeries(
  rows: readonly UsageHourRow[],
  from: number,
  to: number,
  granularity: 'hour' | 'day',
) {
  const step = granularity === 'hour' ? HOUR : DAY;
  const start = from - (from % step);
  const points = new Map<
    number,
    { requests: number; errors_4xx: number; errors_5xx: number; rate_limited: number }
  >();
  for (let t = start; t < to; t += step)
    points.set(t, { requests: 0, errors_4xx: 0, errors_5xx: 0, rate_limited: 0 });
  const totals = { requests: 0, errors_4xx: 0, errors_5xx: 0, rate_limited: 0 };
  for (const r of rows) {
    const p = points.get(r.hour - (r.hour % step));
    if (!p) continue;
    for (const k of ['requests', 'errors_4xx', 'errors_5xx', 'rate_limited'] as const) {
      p[k] += r[k];
      totals[k] += r[k];
    }
  }
  return { points: [...points].map(([t, p]) => ({ t: iso(t), ...p })), totals };
}

/** The range a series query asks for (`to` defaults to now, `from` to a day or 30 days before), checked. */
export function seriesRange(q: z.infer<typeof seriesQuery>, now: number): { from: number; to: number } {
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - (q.granularity === 'day' ? 30 * DAY : DAY);
  if (from >= to)
    throw new KeywardError('ERR_VALIDATION', '`from` must be before `to`.', {
      issues: [{ path: ['querystring', 'from'], message: 'must be before to' }],
    });
  if ((to - from) / (q.granularity === 'day' ? DAY : HOUR) > MAX_POINTS) {
    throw new KeywardError(
      'ERR_VALIDATION',
      'That range has too many points; use granularity=day or a shorter range.',
    );
  }
  return { from, to };
}

export const usageRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock, limiter, config } = deps;

    const range = (q: z.infer<typeof seriesQuery>) => seriesRange(q, clock.now());

    const budget = async (b: Budget | undefined) => {
      if (!b) return null;
      const [state] = (await limiter.peek([b], clock.now())).states;
      if (!state) return null;
      const window = b.windowMs % HOUR === 0 ? `${b.windowMs / HOUR}h` : `${b.windowMs / 1000}s`;
      return {
        limit: state.limit,
        remaining: state.remaining,
        used: state.limit - state.remaining,
        reset: iso(state.resetAt),
        window,
      };
    };

    /** A credential of the workspace (any kind), or ERR_NOT_FOUND. */
    const findCredential = async (workspaceId: string, id: string) => {
      const cred = await storage.credentials.get(workspaceId, id);
      if (!cred) throw new KeywardError('ERR_NOT_FOUND', `Credential ${id} not found.`);
      return cred;
    };

    /** The answer of a series query over the usage `of` a workspace or credential, with `of`'s budget use. */
    const series = async (
      query: z.infer<typeof seriesQuery>,
      of: Parameters<typeof storage.usage.hourly>[0],
      spent: Budget | undefined,
    ) => {
      const { from, to } = range(query);
      const rows = await storage.usage.hourly(of, from - (from % DAY), to);
      return {
        data: {
          from: iso(from),
          to: iso(to),
          granularity: query.granularity,
          ...toSeries(rows, from, to, query.granularity),
          budget: await budget(spent),
        },
      };
    };

    app.get(
      '/credentials/:id/usage',
      manage('member', 'Usage of one credential over time, and its budget use', {
        params: idParams,
        querystring: seriesQuery,
        response: { 200: dataEnvelope(seriesSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        const cred = await findCredential(ws, request.params.id);
        const workspace = await storage.workspaces.get(ws);
        const plan = config.plans.get(workspace?.plan ?? '');
        const limit = (cred.rate_limit && parseRateLimit(cred.rate_limit)) || plan?.keyLimit;
        return series(
          request.query,
          { workspaceId: ws, credentialId: cred.id },
          limit ? { key: `key:${cred.id}`, limit: limit.limit, windowMs: limit.windowMs } : undefined,
        );
      },
    );

    app.get(
      '/usage',
      manage('member', "Usage of the whole workspace over time, and the plan's shared pool", {
        querystring: seriesQuery,
        response: { 200: dataEnvelope(seriesSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        const workspace = await storage.workspaces.get(ws);
        const pool = config.plans.get(workspace?.plan ?? '')?.workspaceLimit;
        return series(
          request.query,
          { workspaceId: ws },
          pool ? { key: `ws:${ws}`, limit: pool.limit, windowMs: pool.windowMs } : undefined,
        );
      },
    );

    app.get(
      '/credentials/:id/requests',
      manage('member', 'The recent-request log of a credential (newest first, the latest 1000 kept)', {
        params: idParams,
        querystring: requestsQuery,
        response: { 200: listEnvelope(requestLogEntrySchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        const cred = await findCredential(ws, request.params.id);
        const { cursor } = request.query;
        if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) {
          throw new KeywardError(
            'ERR_BAD_REQUEST',
            'The cursor is not valid; use next_cursor from a previous page.',
          );
        }
        const rows = await storage.usage.recentRequests(cred.id, {
          limit: request.query.limit + 1,
          beforeSeq: cursor !== undefined ? Number(cursor) : undefined,
          status: request.query.status,
        });
        const page = rows.slice(0, request.query.limit);
        return {
          data: page.map((r) => ({
            method: r.method,
            route: r.route,
            status: r.status,
            latency_ms: r.latency_ms,
            ip: r.ip,
            created_at: iso(r.created_at),
          })),
          next_cursor: rows.length > request.query.limit ? String(page[page.length - 1]!.seq) : null,
        };
      },
    );
  };
