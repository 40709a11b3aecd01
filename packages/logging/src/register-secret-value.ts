import { invalidOption, type Disposable } from '@bulwark/core';
import { addSecretValue, removeSecretValue } from './internal/secret-registry.js';

/**
 * Registers the revealed value of a secret (an API key, a password, a token) so that every logger
 * replaces it wherever it appears: inside messages, inside any string field at any depth, in error
 * messages and stacks, and in the encoded forms it takes on its way to a wire: percent-encoded,
 * JSON-escaped, base64 (HTTP Basic auth), hex, and as bytes (a `Buffer`, a byte array). The README
 * lists every form covered and those that are not. Dispose the handle when the value is retired
 * (after a rotation, say).
 *
 * Registrations are counted: a value registered twice stays redacted until both handles are
 * disposed. The registry is process-wide.
 *
 * Gotcha: register the value as soon as you reveal it, before anything can log it. A very short
 * value (a few characters) would be replaced in unrelated text too; real credentials are long. Below
 * 6 bytes, its base64, hex and byte forms are not searched for.
 *
 * @example
 * ```ts
 * import { envProvider, secretManager } from '@bulwark/secrets';
 * const secrets = secretManager({ providers: envProvider() });
 * const logger = createLogger({ service: 'gateway' });
 * const apiKey = await secrets.get('upstream-api-key');
 * using _ = registerSecretValue(apiKey.reveal());
 * logger.info(`calling with ${apiKey.reveal()}`); // "calling with [REDACTED]"
 * ```
 */
export function registerSecretValue(value: string): Disposable {
  // The value is a credential: a wrong one (a number, a PIN) is described, never shown.
  if (typeof value !== 'string' || value.length === 0) throw invalidOption('value', value, 'a non-empty string', { redact: true });
  addSecretValue(value);
  let active = true;
  const dispose = (): void => {
    if (!active) return;
    active = false;
    removeSecretValue(value);
  };
  return { dispose, [Symbol.dispose]: dispose };
}
