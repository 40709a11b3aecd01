import { randomFillSync } from 'node:crypto';

// W3C Trace Context, version 00: version-traceid-parentid-flags, lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

// Random ids come from a pool filled 4 KiB at a time: one call into the system's generator per 256
// requests rather than one or two per request.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}

/** A request's place in a trace. */
export interface TraceContext {
  readonly traceId: string;
  /** This request's own span id. */
  readonly spanId: string;
  readonly flags: string;
}

/**
 * The trace context of a request: the caller's trace id and flags when its `traceparent` is valid,
 * else a new trace; always a new span id of ours. An invalid header is ignored, as the
 * specification requires (all-zero ids, version ff).
 */
export function traceContextOf(header: string | string[] | undefined): TraceContext {
  const spanId = randomHex(8);
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null;
  if (match !== null && match[1] !== 'ff' && !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!)) {
    return { traceId: match[2]!, spanId, flags: match[4]! };
  }
  return { traceId: randomHex(16), spanId, flags: '01' };
}

/** The `traceparent` naming `context`'s span as the parent. */
export const traceparentOf = (context: TraceContext): string => `00-${context.traceId}-${context.spanId}-${context.flags}`;
