/** Requests, errors and 429s over time, drawn with uPlot; resizes with its container. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageSeries } from '../api.ts';

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function UsageChart({ series, label }: { series: UsageSeries; label: string }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = series.points.map((p) => Date.parse(p.t) / 1000);
    const data: uPlot.AlignedData = [
      xs,
      series.points.map((p) => p.requests),
      series.points.map((p) => p.errors_4xx + p.errors_5xx - p.rate_limited),
      series.points.map((p) => p.rate_limited),
    ];
    const daily = series.granularity === 'day';
    const options: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: 220,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      axes: [
        { stroke: css('--text-muted'), grid: { stroke: css('--border-subtle') }, ticks: { show: false } },
        {
          stroke: css('--text-muted'),
          grid: { stroke: css('--border-subtle') },
          ticks: { show: false },
          size: 48,
        },
      ],
      series: [
        {
          value: (_u, v) =>
            v == null
              ? ''
              : new Date(v * 1000).toLocaleString(
                  undefined,
                  daily ? { dateStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' },
                ),
        },
        {
          label: 'Requests',
          stroke: css('--accent'),
          fill: css('--accent-fill'),
          width: 2,
          points: { show: false },
        },
        { label: 'Errors (other than 429)', stroke: css('--danger'), width: 2, points: { show: false } },
        {
          label: '429 rate limited',
          stroke: css('--warning'),
          width: 2,
          dash: [6, 4],
          points: { show: false },
        },
      ],
    };
    const plot = new uPlot(options, data, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(el.clientWidth, 200), height: 220 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);

  return <div ref={box} className="usage-chart" role="img" aria-label={label} />;
}
