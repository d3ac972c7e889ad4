/** Shared HTTP schemas: the envelopes (defined in the contract) and the errors routes document. */
import { errorEnvelope } from '../contract/envelopes.ts';

/** The type of an answer sent as an already serialized string (Fastify would say text/plain). */
export const JSON_UTF8 = 'application/json; charset=utf-8';

export {
  dataEnvelope,
  deletedResponse,
  errorEnvelope,
  idParams,
  listEnvelope,
  pageQuery,
} from '../contract/envelopes.ts';

/** Error responses every credentialed route may return, for the OpenAPI document. */
export const commonErrors = {
  400: errorEnvelope,
  401: errorEnvelope,
  403: errorEnvelope,
  404: errorEnvelope,
  422: errorEnvelope,
  429: errorEnvelope,
} as const;

/** The body of a `deletedResponse`. */
export const deletedBody = (id: string) => ({ data: { id, deleted: true as const } });
