import type { Disposable } from '@bulwark/core';

/** Any object: a policy, a cache, a secret store, an emitter of `onXxx` events. */
export type EventSource = object;

type Subscribe = (listener: (event: Record<string, unknown>) => void) => Disposable;

/** The `onXxx` event of `source` if it has one (a function), else `undefined`. */
export function eventOf(source: EventSource, name: string): Subscribe | undefined {
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as Subscribe) : undefined;
}

/** A policy's `name`, when it is a non-empty string. */
export function nameOf(source: EventSource): string | undefined {
  const name = (source as { name?: unknown }).name;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** States and reasons seen so far, normalized; they are few, and the cache stops growing at 256. */
const normalized = new Map<string, string>();

/** A breaker's current state (or a rejection's reason) as a metric-friendly string (`half-open` → `half_open`). */
export function normalizeState(state: unknown): string | undefined {
  if (typeof state !== 'string' || state.length === 0) return undefined;
  let out = normalized.get(state);
  if (out === undefined) {
    out = state
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .replace(/[-\s]+/g, '_')
      .toLowerCase();
    if (normalized.size < 256) normalized.set(state, out);
  }
  return out;
}

/** Reads a payload field as a finite number; only a field the payload's type names (the event's contract). */
export function numberField<P extends object>(event: P, field: keyof P & string): number | undefined {
  const value = (event as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Reads a payload field as a string; only a field the payload's type names (the event's contract). */
export function stringField<P extends object>(event: P, field: keyof P & string): string | undefined {
  const value = (event as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
