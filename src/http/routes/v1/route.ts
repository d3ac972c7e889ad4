/** Route options of a public /v1 route: the scope its bearer credential needs and its documented schema. */
import type { RequiredScope } from '../../../core/scopes.ts';

export const bearerAuth = [{ bearerAuth: [] }];

export function bearerRoute<S extends object>(
  scope: RequiredScope | 'any',
  tag: string,
  summary: string,
  schema: S,
) {
  return { config: { scope }, schema: { tags: [tag], summary, security: bearerAuth, ...schema } };
}
