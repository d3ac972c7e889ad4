/** What every admin route shares: the admin operator guard, its documentation, the operator as actor. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../audit/record.ts';
import type { AppDeps } from '../../deps.ts';
import { requireOperator } from '../../plugins/operator-auth.ts';
import { commonErrors, errorEnvelope } from '../../schemas.ts';

export const TAGS = ['admin'];
export const operatorAuth = [{ operatorToken: [] }];

/** Errors an admin route may answer besides the common ones: 409 where a change can conflict. */
export const conflictErrors = { ...commonErrors, 409: errorEnvelope } as const;

/** The audit actor: `operator:<token name>` (the id is the token's, null for KEYWARD_ADMIN_TOKEN). */
export function operatorActor(request: FastifyRequest): Actor {
  const operator = request.operator;
  return { type: 'operator', id: operator?.id ?? null, label: operator?.name ?? null, ip: request.ip };
}

/** Route options of an admin route: an admin operator token required, documented under `admin`. */
export function adminRouteOptions(deps: AppDeps) {
  const onRequest = requireOperator(deps, 'admin');
  return <S extends object>(summary: string, schema: S) => ({
    onRequest,
    schema: { tags: TAGS, summary, security: operatorAuth, ...schema },
  });
}
