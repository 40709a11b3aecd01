import { hash, timingSafeEqual } from 'node:crypto';

/** Bytes of a value for comparison; strings as UTF-8, other values through JSON. */
function toBytes(value: unknown): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return Buffer.from(JSON.stringify(value) ?? String(value), 'utf8');
}

/**
 * Compares two values in time independent of where they differ and of their lengths: both sides
 * are reduced to fixed-length SHA-256 digests first (never exposed), then compared with
 * `timingSafeEqual`.
 */
export function constantTimeEqual(a: unknown, b: unknown): boolean {
  return timingSafeEqual(hash('sha256', toBytes(a), 'buffer'), hash('sha256', toBytes(b), 'buffer'));
}
