import { PHASES } from './server-timing.js';
import type { StepResult } from './steps.js';

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const errors = (e: Readonly<Record<string, number>>): string => Object.entries(e).map(([k, v]) => `${k}:${v}`).join(' ') || '0';

const COLUMNS: readonly (readonly [string, number, (s: StepResult) => string])[] = [
  ['rate/s', 7, (s) => String(s.targetRps)],
  ['got/s', 7, (s) => s.rps.toFixed(0)],
  ['p50', 6, (s) => ms(s.latencyMs.p50)],
  ['p97.5', 6, (s) => ms(s.latencyMs.p97_5)],
  ['p99', 6, (s) => ms(s.latencyMs.p99)],
  ['errors', 12, (s) => errors(s.errorsByStatus)],
  ['answers', 22, (s) => Object.entries(s.sources).map(([k, v]) => `${k}:${v}`).join(' ')],
  ['upstream said', 22, (s) => (s.upstreamByStatus === undefined ? '-' : Object.entries(s.upstreamByStatus).map(([k, v]) => `${k}:${v}`).join(' ') || '0')],
  ...PHASES.map((p) => [p === 'upstream-wait' ? 'up-wait' : p, 8, (s: StepResult) => ms(s.breakdown.phasesMs[p])] as const),
  ['gateway', 8, (s) => ms(s.breakdown.gatewayMs)],
  ['queued', 8, (s) => ms(s.breakdown.queuedMs)],
  ['bottleneck', 0, (s) => `${s.breakdown.bottleneck} (${Math.round(100 * s.breakdown.shares[s.breakdown.bottleneck]!)}%)${s.overBound ? '  ← p99 over the bound' : ''}`],
];

/** The header of a steps table (latencies and parts in ms, means of the parts). */
export const tableHeader = (): string => COLUMNS.map(([name, width]) => name.padStart(width)).join(' ');

/** One step as a row of the table. */
export const tableRow = (step: StepResult): string => COLUMNS.map(([, width, cell]) => cell(step).padStart(width)).join(' ');
