/**
 * The one redaction every message that quotes input goes through (HTTP errors, CLI errors): any
 * substring shaped like a secret Keyward issues is masked, so a key pasted into a path, a query,
 * a field or a command line never comes back.
 */

// Keys, integration and operator tokens: a prefix (`spk_`, `spi_`, `kwo_` or a configured one) and
// 32+ base62 characters. Ids are far shorter. No word boundary: `foo_spk_…` must match too.
// A match runs on through `_`: the body of a secret glued to the next one (`spk_…spk_…`, `…/whsec_…`)
// swallows that one's prefix letters, and its `_…` rest must not be left showing.
const TOKEN_SHAPE = /[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{32,}(?:_[0-9A-Za-z]*)*/g;
// Webhook signing secrets: `whsec_` and base64 (with `+`, `/`, `=`), maybe percent-encoded in a URL.
const WEBHOOK_SECRET_SHAPE =
  /whsec_(?:[A-Za-z0-9+/=]|%[0-9A-Fa-f]{2}){16,}(?:_(?:[A-Za-z0-9+/=]|%[0-9A-Fa-f]{2})*)*/g;

export const REDACTED = '[redacted]';

export function redactSecrets(text: string): string {
  return text.replace(WEBHOOK_SECRET_SHAPE, REDACTED).replace(TOKEN_SHAPE, REDACTED);
}

/** The same over a JSON-able value (error details), leaving its shape intact. */
export function redactValue<T>(value: T): T {
  return JSON.parse(redactSecrets(JSON.stringify(value))) as T;
}
