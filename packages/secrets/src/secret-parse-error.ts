import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * Thrown by a schema field's `parse` to say what is wrong with a value, in words that never quote
 * it: `load()` lists its message with the field. Any other error a parser throws is reduced to its
 * class name, since parsers such as `JSON.parse` and `new URL` quote their input. As a last guard,
 * the value itself is replaced by `[REDACTED]` should the message hold it.
 *
 * @example
 * ```ts
 * const vault = secretManager({ providers: envProvider({ env: { PORTS: '80,x' } }) });
 * const ports = (text: string) =>
 *   text.split(',').map((part, i) => {
 *     if (!/^\d+$/.test(part)) throw new SecretParseError(`entry ${i} is not a port number`);
 *     return Number(part);
 *   });
 * await vault.load({ ports: { name: 'PORTS', parse: ports } }).catch((e: Error) => console.error(e.message));
 * // 1 secret is missing or invalid:
 * //   - "PORTS" (ports): malformed: entry 1 is not a port number
 * ```
 */
export class SecretParseError extends BulwarkError {
  readonly code = 'SECRET_PARSE' as const;
}

/** True for a {@link SecretParseError}. */
export const isSecretParseError = errorGuard<SecretParseError>('SECRET_PARSE');
