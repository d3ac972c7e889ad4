/**
 * Operator authentication for the admin API and key verification: `Authorization: Bearer <operator
 * token>`. A token that fails counts against the client address's failure budget like a bad key (so
 * guessing is throttled, then blocked); a valid token passes even from a blocked address (a shared NAT
 * address must not shut the operator's backend out). A verify token on an admin route is 403.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { OperatorIdentity } from '../../operators/tokens.ts';
import type { OperatorAccess } from '../../storage/schema.ts';
import type { AppDeps } from '../deps.ts';
import { bearerSecret } from './auth.ts';
import { authFailureCounter, sendTooManyFailures } from './auth-failures.ts';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator behind the request, on routes guarded by `requireOperator`. */
    operator?: OperatorIdentity;
  }
}

const HINT: Record<OperatorAccess, string> = {
  verify: 'Send an operator token: "Authorization: Bearer kwo_…" (or KEYWARD_SERVICE_TOKEN).',
  admin: 'Send an admin operator token: "Authorization: Bearer kwo_…" (or KEYWARD_ADMIN_TOKEN).',
};

export function requireOperator(
  deps: Pick<AppDeps, 'operators' | 'limiter' | 'ipBlocks' | 'config' | 'clock'>,
  access: OperatorAccess,
): onRequestAsyncHookHandler {
  const countFailure = authFailureCounter(deps);
  return async function operatorGuard(request: FastifyRequest, reply: FastifyReply) {
    const presented = bearerSecret(request.headers.authorization ?? '');
    const identity = presented === undefined ? undefined : await deps.operators.authenticate(presented);
    const now = deps.clock.now();
    if (!identity) {
      // Nothing presented is a mistake, not a guess: it costs no budget.
      if (presented === undefined) return sendError(reply, 'ERR_UNAUTHENTICATED', HINT[access]);
      if (deps.ipBlocks.blockedUntil(request.ip, now) !== undefined) return sendTooManyFailures(reply);
      if (!(await countFailure(request, reply, now))) return sendTooManyFailures(reply);
      return sendError(reply, 'ERR_UNAUTHENTICATED', HINT[access]);
    }
    if (access === 'admin' && identity.access !== 'admin')
      return sendError(
        reply,
        'ERR_FORBIDDEN',
        'This operator token has verify access only; the admin API needs admin access.',
      );
    request.operator = identity;
  };
}
