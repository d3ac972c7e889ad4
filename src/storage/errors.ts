/** Recognises constraint violations from either driver, so callers can answer 409 instead of 500. */

export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // PostgreSQL: unique_violation; SQLite: UNIQUE or PRIMARY KEY constraint.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when the database cannot be reached at all (answer 503, not 500). */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === '57P01' ||
    code === '57P03' ||
    code === 'SQLITE_BUSY' ||
    (err instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(err.message))
  );
}
