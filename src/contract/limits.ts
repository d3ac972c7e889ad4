/**
 * Numbers the API enforces that the dashboard also needs at run time. No imports, so the dashboard can
 * import values from here without pulling zod or server code into its bundle.
 */

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** How long a rotated-out integration token keeps working by default ("rotate later"), and at most. */
export const DEFAULT_GRACE_SECONDS = 7 * 86_400;
export const MAX_GRACE_SECONDS = 30 * 86_400;
