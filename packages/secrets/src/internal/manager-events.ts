import { EventEmitter, type BulwarkError, type Clock } from '@bulwark/core';
import type { SecretAuditAction, SecretAuditEvent, SecretRefreshFailedEvent, SecretRotatedEvent } from '../secret-manager-events.js';

/**
 * What a secret manager tells the world: its rotations, failed refreshes and audit trail (never a
 * value), each emitted only when someone listens, and the counters of `stats`.
 */
export class ManagerEvents {
  readonly name: string;
  readonly #clock: Clock;
  readonly rotated = new EventEmitter<SecretRotatedEvent>();
  readonly audit = new EventEmitter<SecretAuditEvent>();
  readonly refreshFailed = new EventEmitter<SecretRefreshFailedEvent>();
  fetches = 0;
  refreshFailures = 0;
  staleReads = 0;

  constructor(name: string, clock: Clock) {
    this.name = name;
    this.#clock = clock;
  }

  audited(action: SecretAuditAction, secretName: string, version: string | undefined, who: string): void {
    if (this.audit.hasListeners) this.audit.emit({ name: this.name, action, secretName, version, who, at: this.#clock.now() });
  }

  rotatedTo(secretName: string, version: string, previousVersion: string | undefined, who: string): void {
    if (this.rotated.hasListeners) this.rotated.emit({ name: this.name, secretName, version, previousVersion });
    this.audited('rotated', secretName, version, who);
  }

  /** A refresh failed while a last good value (`version`) is still served. */
  failedRefresh(secretName: string, error: BulwarkError, version: string | undefined, failures: number, who: string): void {
    this.refreshFailures++;
    if (this.refreshFailed.hasListeners) this.refreshFailed.emit({ name: this.name, secretName, error, version, failures });
    this.audited('refresh-failed', secretName, version, who);
  }
}
