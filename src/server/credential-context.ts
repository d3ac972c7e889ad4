/** The CredentialContext of a process, built alike by `serve` (compose.ts) and the CLI. */
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { CredentialContext } from '../credentials/context.ts';
import type { Storage } from '../storage/index.ts';

export function credentialContextFor(
  config: Config,
  storage: Storage,
  clock: Clock,
  notify: CredentialContext['notify'],
): CredentialContext {
  return {
    storage,
    clock,
    keyPrefix: config.keyPrefix,
    tokenPrefix: config.tokenPrefix,
    plans: config.plans,
    notify,
  };
}
