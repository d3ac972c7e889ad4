/**
 * keyward/client: a typed client of Keyward's public API (createClient) and admin API
 * (createAdminClient). Imports no server code: only openapi-fetch and the generated types.
 * See docs/client.md.
 */
export {
  type AdminClientOptions,
  type AdminPaths,
  type BodyOf,
  type CallOptions,
  type ClientOptions,
  createAdminClient,
  createClient,
  type EnvelopeData,
  type KeywardAdminClient,
  type KeywardClient,
  type PublicClientOptions,
  type PublicPaths,
  paginate,
  type QueryOf,
  type RawClient,
  type SuccessBody,
  unwrap,
  unwrapPage,
  type VerifyInput,
} from './client.ts';
export { isKeywardApiError, KeywardApiError, type KeywardErrorCode, UNEXPECTED_RESPONSE } from './errors.ts';
export type { components, operations, paths } from './generated/openapi.ts';
export { type RateLimit, rateLimitOf } from './rate-limit.ts';
export {
  defaultSleep,
  exponentialBackoff,
  type Fetch,
  type RetryEvent,
  type RetryOptions,
  type RetryReason,
  type Sleep,
} from './retry.ts';
