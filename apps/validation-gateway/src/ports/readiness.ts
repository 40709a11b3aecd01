import type { HealthReport } from '@bulwark/telemetry';

/** Port: liveness and readiness, as `application/health+json` reports. */
export interface Readiness {
  live(): Promise<HealthReport>;
  ready(): Promise<HealthReport>;
}
