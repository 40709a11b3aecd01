import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A per-process key: digests are never comparable across processes, so they say nothing about a value.
const KEY = randomBytes(32);

/** Bytes of a value for comparison; strings as UTF-8, other values through JSON. */
export function toBytes(value: unknown): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return Buffer.from(JSON.stringify(value) ?? String(value), 'utf8');
}

/**
 * Compares two values in time independent of where they differ and of their lengths: both sides
 * are reduced to fixed-length HMAC digests first, then compared with `timingSafeEqual`.
 */
export function constantTimeEqual(a: unknown, b: unknown): boolean {
  const da = createHmac('sha256', KEY).update(toBytes(a)).digest();
  const db = createHmac('sha256', KEY).update(toBytes(b)).digest();
  return timingSafeEqual(da, db);
}
