import { invalidOption } from '@bulwark/core';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One AES-256-GCM key: an id stored beside each sealed value, and 32 bytes of key. */
export interface SealingKey {
  readonly id: string;
  readonly key: Uint8Array;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 's1:';

/** Seals `plain` under the first key; the key id and the cache key (as AAD) bind the result. */
export function seal(keys: readonly SealingKey[], aad: string, plain: string): string {
  const k = keys[0]!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const out = Buffer.concat([iv, cipher.getAuthTag(), body]);
  return `${PREFIX}${k.id}:${out.toString('base64')}`;
}

/** Whether a stored string is a sealed value. */
export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

/**
 * Opens a sealed value with whichever key its id names; throws a plain Error saying why when the
 * id is unknown or the value was altered (GCM authentication fails).
 */
export function unseal(keys: readonly SealingKey[], aad: string, stored: string): string {
  const sep = stored.indexOf(':', PREFIX.length);
  if (sep === -1) throw new Error('the sealed value is malformed');
  const id = stored.slice(PREFIX.length, sep);
  const k = keys.find((x) => x.id === id);
  if (k === undefined) throw new Error(`it was sealed with key id ${JSON.stringify(id)}, which this cache does not hold`);
  const raw = Buffer.from(stored.slice(sep + 1), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('the sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('its seal did not verify (altered, or sealed under another key with the same id)');
  }
}

/** Checks sealing keys as the `sealing.keys` option; returns a frozen copy (the caller may reuse its buffers). */
export function checkSealingKeys(keys: unknown): readonly SealingKey[] {
  if (!Array.isArray(keys) || keys.length === 0) throw invalidOption('sealing.keys', keys, 'a non-empty array of { id, key }');
  const ids = new Set<string>();
  keys.forEach((k: unknown, i) => {
    const { id, key } = (k ?? {}) as { id?: unknown; key?: unknown };
    if (typeof id !== 'string' || id.length === 0 || id.includes(':')) {
      throw invalidOption(`sealing.keys[${i}].id`, id, 'a non-empty string without ":"');
    }
    if (ids.has(id)) throw invalidOption(`sealing.keys[${i}].id`, id, 'an id not used by another key');
    ids.add(id);
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      // Never echo key material: describe it by type and length only.
      const what = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
      throw new TypeError(`Expected \`sealing.keys[${i}].key\` to be 32 bytes (AES-256), got ${what}.`);
    }
  });
  return Object.freeze(keys.map((k: SealingKey) => Object.freeze({ id: k.id, key: Uint8Array.from(k.key) })));
}
