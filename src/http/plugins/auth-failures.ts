/**
 * Failed authentication is limited per client address (KEYWARD_AUTH_FAILURE_LIMIT), whatever was
 * presented: an API key, an integration token or an operator token. Past the budget the address is
 * blocked on every instance until the window ends.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOO_MANY_FAILURES } from '../../core/outcome.ts';
import type { Budget } from '../../limits/rate-limiter.ts';
import type { AppDeps } from '../deps.ts';
import { setRateLimitHeaders } from './auth.ts';
import { sendError } from './errors.ts';

export type FailureCounter = (request: FastifyRequest, reply: FastifyReply, now: number) => Promise<boolean>;

/** Counts one failure of the request's address; false once the address is past its budget. */
export function authFailureCounter(deps: Pick<AppDeps, 'limiter' | 'ipBlocks' | 'config'>): FailureCounter {
  const { limit, windowMs } = deps.config.authFailureLimit;
  return async (request, reply, now) => {
    const budget: Budget = { key: `ip:${request.ip}`, limit, windowMs };
    const result = await deps.limiter.consume([budget], now);
    const state = result.states[0]!;
    setRateLimitHeaders(reply, state, now, !result.allowed);
    if (!result.allowed) deps.ipBlocks.block(request.ip, state.resetAt, now);
    return result.allowed;
  };
}

export { TOO_MANY_FAILURES };

/** The 429 for an address past its failure budget. */
export function sendTooManyFailures(reply: FastifyReply) {
  return sendError(reply, 'ERR_RATE_LIMITED', TOO_MANY_FAILURES, { limit: 'ip' });
}
