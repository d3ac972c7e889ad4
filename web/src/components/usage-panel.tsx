/** A usage chart with a 24 h / 7 d / 30 d switch, its totals and the budget it draws from. */
import { useState } from 'react';
import type { Budget, UsageSeries } from '../api.ts';
import { formatDateTime, formatNumber, formatRelative } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { ErrorNote, Loading } from './states.tsx';
import { UsageChart } from './usage-chart.tsx';

export type Range = '24h' | '7d' | '30d';
const RANGES: { id: Range; label: string; hours: number; granularity: 'hour' | 'day' }[] = [
  { id: '24h', label: 'Last 24 hours', hours: 24, granularity: 'hour' },
  { id: '7d', label: 'Last 7 days', hours: 7 * 24, granularity: 'hour' },
  { id: '30d', label: 'Last 30 days', hours: 30 * 24, granularity: 'day' },
];

export function UsagePanel({
  title,
  load,
  budgetLabel,
  reloadKey,
}: {
  title: string;
  load: (query: { from: string; granularity: 'hour' | 'day' }) => Promise<UsageSeries>;
  budgetLabel: string;
  reloadKey?: unknown;
}) {
  const [range, setRange] = useState<Range>('24h');
  const spec = RANGES.find((r) => r.id === range)!;
  const usage = useResource(
    () =>
      load({
        from: new Date(Date.now() - spec.hours * 3_600_000).toISOString(),
        granularity: spec.granularity,
      }),
    [range, reloadKey],
  );
  const totals = usage.data?.totals;

  return (
    <section className="card" aria-label={title}>
      <div className="card-header">
        <h2 className="card-title">{title}</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Time range</legend>
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              aria-pressed={range === r.id}
              onClick={() => setRange(r.id)}
              title={r.label}
            >
              {r.id}
            </button>
          ))}
        </fieldset>
      </div>
      {usage.error && <ErrorNote error={usage.error} onRetry={usage.reload} />}
      {!usage.data && usage.loading && <Loading label="Loading usage…" />}
      {usage.data && totals && (
        <>
          <dl className="stats">
            <Stat label="Requests" value={totals.requests} />
            <Stat label="Errors" value={totals.errors_4xx + totals.errors_5xx - totals.rate_limited} />
            <Stat label="Rate limited (429)" value={totals.rate_limited} />
            <Stat label="Server errors (5xx)" value={totals.errors_5xx} />
          </dl>
          {totals.requests === 0 ? (
            <p className="state state-empty">No requests in the {spec.label.toLowerCase()}.</p>
          ) : (
            <UsageChart series={usage.data} label={`${title}, ${spec.label.toLowerCase()}`} />
          )}
          <BudgetMeter budget={usage.data.budget} label={budgetLabel} />
        </>
      )}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{formatNumber(value)}</dd>
    </div>
  );
}

export function BudgetMeter({ budget, label }: { budget: Budget; label: string }) {
  if (!budget) return <p className="hint">{label}: no limit applies.</p>;
  return (
    <div className="budget">
      <div className="budget-text">
        <span>
          {label}: <strong>{formatNumber(budget.used)}</strong> of {formatNumber(budget.limit)} requests used
          in this {budget.window} window
        </span>
        <span className="hint" title={formatDateTime(budget.reset)}>
          resets {formatRelative(budget.reset)}
        </span>
      </div>
      <meter
        aria-label={label}
        min={0}
        max={budget.limit}
        value={budget.used}
        low={budget.limit * 0.7}
        high={budget.limit * 0.9}
        optimum={0}
      />
    </div>
  );
}
