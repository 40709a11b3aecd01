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

/** A breaker's current state as a metric-friendly string (`half-open` → `half_open`). */
export function normalizeState(state: unknown): string | undefined {
  if (typeof state !== 'string' || state.length === 0) return undefined;
  return state
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

/** Safely reads a payload field as a finite number. */
export function numberField(event: Record<string, unknown>, field: string): number | undefined {
  const value = event[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Safely reads a payload field as a string. */
export function stringField(event: Record<string, unknown>, field: string): string | undefined {
  const value = event[field];
  return typeof value === 'string' ? value : undefined;
}
