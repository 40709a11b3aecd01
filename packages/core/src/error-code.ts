import { invalidOption } from './validate.js';

const MAX_DEPTH = 5;

// Failures of name resolution and connection set-up: no byte of the request left the process.
const CONNECT_PHASE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The `code` of an error, or of one along its `cause` chain (`fetch` wraps socket errors:
 * `TypeError: fetch failed` with the `ECONNRESET` error as `cause`): the first one in `codes`, or the
 * first string `code` at all when `codes` is not given. Looks five errors deep.
 *
 * @example
 * ```ts
 * errorCode(new TypeError('fetch failed', { cause: Object.assign(new Error(), { code: 'ECONNRESET' }) })); // 'ECONNRESET'
 * ```
 */
export function errorCode(error: unknown, codes?: ReadonlySet<string>): string | undefined {
  if (codes !== undefined && typeof (codes as { has?: unknown } | null)?.has !== 'function') {
    throw invalidOption('codes', codes, 'a Set of the codes to look for, or undefined for any code');
  }
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (codes === undefined || codes.has(code))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether a network error proves the request never left the process: name resolution or connection
 * set-up failed (`ECONNREFUSED`, `EAI_AGAIN`, `ENOTFOUND`, `ENETUNREACH`, `EHOSTUNREACH`, undici's
 * `UND_ERR_CONNECT_TIMEOUT`), on the error or along its `cause` chain. A reset or timed-out
 * connection proves nothing: the server may have acted on the request.
 */
export function isConnectFailure(error: unknown): boolean {
  return errorCode(error, CONNECT_PHASE_CODES) !== undefined;
}
