import { isBulwarkError, isConnectFailure } from '@bulwark/core';

// Bulwark failures raised before the call is made.
const LOCAL_BULWARK_CODES: ReadonlySet<string> = new Set(['CIRCUIT_OPEN', 'BULKHEAD_FULL']);

/**
 * The default `requestMayHaveBeenSent` check, which guards `idempotent: false` calls: `false` only
 * when the error proves the request never reached the server, `true` otherwise (when in doubt,
 * assume it did).
 *
 * Proof that it was not sent:
 * - the error says so itself: `requestSent === false` (set it on your own errors, or have your HTTP
 *   client wrapper set it);
 * - a connect-phase failure, on the error or along its `cause` chain: `ECONNREFUSED`, `EAI_AGAIN`,
 *   `ENOTFOUND`, `ENETUNREACH`, `EHOSTUNREACH`, undici's `UND_ERR_CONNECT_TIMEOUT`;
 * - a Bulwark error raised before the call: an open circuit (`CIRCUIT_OPEN`), a full bulkhead
 *   (`BULKHEAD_FULL`).
 *
 * `ECONNRESET`, `ETIMEDOUT`, socket hang-ups and every HTTP status count as sent: the server may have
 * acted on the request before the connection broke. An error that says `requestSent === true` is sent.
 */
export function requestMayHaveBeenSent(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const flag = (error as { requestSent?: unknown }).requestSent;
  if (typeof flag === 'boolean') return flag;
  if (isBulwarkError(error) && LOCAL_BULWARK_CODES.has(error.code)) return false;
  return !isConnectFailure(error);
}
