/**
 * Numbers the API enforces that the dashboard also needs at run time. No imports, so the dashboard can
 * import values from here without pulling zod or server code into its bundle.
 */

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** How long a rotated-out integration token keeps working by default ("rotate later"), and at most. */
export const DEFAULT_GRACE_SECONDS = 7 * 86_400;
export const MAX_GRACE_SECONDS = 30 * 86_400;

/** How long a rotated-out webhook signing secret keeps signing by default, and at most. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 86_400;
