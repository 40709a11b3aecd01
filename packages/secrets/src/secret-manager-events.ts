import type { BulwarkError, EventPayload } from '@bulwark/core';

/** Payload of `onRotated`: a new current version was seen. `name` is the manager's. */
export interface SecretRotatedEvent extends EventPayload {
  /** The secret's name. */
  readonly secretName: string;
  /** The new current version. */
  readonly version: string;
  /** The version it replaced, now the previous one. */
  readonly previousVersion: string | undefined;
}

/** Payload of `onRefreshFailed`: fetching a secret failed; the last good value is still served. `name` is the manager's. */
export interface SecretRefreshFailedEvent extends EventPayload {
  /** The secret's name. */
  readonly secretName: string;
  /** Why (never containing the value). */
  readonly error: BulwarkError;
  /** The version still being served. */
  readonly version: string | undefined;
  /** Failures in a row for this secret, from 1. */
  readonly failures: number;
}

/** What an audit event records. */
export type SecretAuditAction = 'read' | 'denied' | 'rotated' | 'refresh-failed' | 'expired-use';

/** Payload of `onAudit`: who did what to which secret and version, when. Never the value. `name` is the manager's. */
export interface SecretAuditEvent extends EventPayload {
  /** `read`, `denied`, `rotated`, `refresh-failed` or `expired-use` (a value past its TTL or overlap was served). */
  readonly action: SecretAuditAction;
  /** The secret's name. */
  readonly secretName: string;
  /** The version read, rotated to or served; `undefined` when none was involved (a denial). */
  readonly version: string | undefined;
  /** The reader: a scoped view's `who`, or the manager's `who`. */
  readonly who: string;
  /** When, in ms since the epoch (the manager's clock). */
  readonly at: number;
}

/** Counters a health check or metrics exporter can read. */
export interface SecretManagerStats {
  /** Fetches sent to the providers. */
  readonly fetches: number;
  /** Fetches that failed while a last good value existed (that value kept being served). */
  readonly refreshFailures: number;
  /** Reads answered with a value past its TTL because it could not be refreshed. */
  readonly staleReads: number;
}
