import type { Health, HealthReport } from '@bulwark/telemetry';
import type { Readiness } from '../ports/readiness.js';

/**
 * Adapter: {@link Readiness} over `@bulwark/telemetry`'s `health()`. While the process drains for
 * shutdown, readiness fails at once, so a load balancer stops sending before the listener closes.
 */
export class TelemetryReadiness implements Readiness {
  readonly #health: Health;
  #draining = false;

  constructor(health: Health) {
    this.#health = health;
  }

  /** From now on, readiness fails: the process is shutting down. */
  drain(): void {
    this.#draining = true;
  }

  live(): Promise<HealthReport> {
    return this.#health.live();
  }

  async ready(): Promise<HealthReport> {
    const report = await this.#health.ready();
    return this.#draining ? { ...report, status: 'fail', output: 'shutting down' } : report;
  }
}
