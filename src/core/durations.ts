/** Parsing of durations (`30d`) and rate limits (`1000/h`, `5/m`, `50000/1d`). */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  return n * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export interface RateLimitSpec {
  limit: number;
  windowMs: number;
}

export function parseRateLimit(text: string): RateLimitSpec | undefined {
  const m = /^(\d+)\/(\d*)([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const limit = Number(m[1]);
  const count = m[2] === '' ? 1 : Number(m[2]);
  if (!Number.isSafeInteger(limit) || limit <= 0 || count <= 0) return undefined;
  return { limit, windowMs: count * UNIT_MS[m[3] as keyof typeof UNIT_MS] };
}

export function formatRateLimit(spec: RateLimitSpec): string {
  for (const [unit, ms] of Object.entries(UNIT_MS).reverse()) {
    if (spec.windowMs % ms === 0) {
      const count = spec.windowMs / ms;
      return `${spec.limit}/${count === 1 ? '' : count}${unit}`;
    }
  }
  return `${spec.limit}/${spec.windowMs / 1000}s`;
}
