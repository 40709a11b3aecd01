import type { PolicyEventLogger } from '@bulwark/logging';

/**
 * `logger`, but with the policies' `storeError` lines at `debug` while `storeAway()` says the shared
 * store is known to be away: its client has warned once for the outage, and every request would
 * otherwise add a warning per policy that uses the store (the metrics still count each one). A store
 * error while it is connected (a timeout, say) keeps its level.
 */
export function quietStoreErrors(logger: PolicyEventLogger, storeAway: () => boolean): PolicyEventLogger {
  return {
    log: (level, message, fields) => {
      const quiet = !(fields instanceof Error) && fields?.event === 'storeError' && storeAway();
      logger.log(quiet ? 'debug' : level, message, fields);
    },
    isLevelEnabled: (level) => logger.isLevelEnabled(level),
  };
}
