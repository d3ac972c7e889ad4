/** Recognises constraint violations from either driver, so callers can answer 409 instead of 500. */

export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // PostgreSQL: unique_violation; SQLite: UNIQUE or PRIMARY KEY constraint.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

// Socket errors, and PostgreSQL's: 57P01–57P03 shutdown, 57014 statement timeout, 25P03 idle in
// transaction timeout, class 08 connection failures. SQLite: busy past the busy timeout.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '25P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

// What pg says, without a code, when a connection ends, stalls or cannot be made.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|connection lost/i;

/** A row's parent is gone (deleted by a concurrent request): callers answer 404, not 500. */
export function isForeignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // PostgreSQL: foreign_key_violation; SQLite: FOREIGN KEY constraint failed.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** True when the database cannot be reached, or stopped answering in time (answer 503, not 500). */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return err instanceof Error && UNAVAILABLE_MESSAGE.test(err.message);
}
