/** Timestamps: epoch milliseconds inside, ISO-8601 UTC at the edges. */

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
