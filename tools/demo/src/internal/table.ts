// The comparison a person reads at the end of a run.
import type { ClientMetrics, DemoReport } from '@bulwark/demo-report';

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);

const ROWS: readonly (readonly [string, (m: ClientMetrics) => string])[] = [
  ['requests', (m) => String(m.requests)],
  ['success rate', (m) => pct(m.successRate)],
  ['latency p50', (m) => ms(m.p50Ms)],
  ['latency p95', (m) => ms(m.p95Ms)],
  ['latency p99', (m) => ms(m.p99Ms)],
  ['upstream calls', (m) => String(m.upstreamCalls)],
  ['429s from the upstream', (m) => String(m.status429)],
  ['breaker transitions', (m) => String(m.breakerTransitions)],
  ['answers from cache', (m) => String(m.cacheAnswers)],
  ['stale answers', (m) => String(m.staleAnswers)],
  ['offline answers', (m) => String(m.offlineAnswers)],
  ['key rotations survived', (m) => String(m.rotationsSurvived)],
];

const failureList = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ') || 'none';

export function formatTable(report: DemoReport, rotations: number, failures: Readonly<Record<'gateway' | 'naive', Readonly<Record<string, number>>>>): string {
  const rows: string[][] = [['', 'naive fetch', report.meta.instances > 1 ? `gateway ×${report.meta.instances}` : 'gateway']];
  for (const [label, cell] of ROWS) {
    rows.push([label === 'key rotations survived' ? `${label} (of ${rotations})` : label, cell(report.naive), cell(report.gateway)]);
  }
  rows.push(['secret values in logs', '', String(report.secretsInLogs)]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`;
  const rule = `  ${'─'.repeat(widths[0]! + widths[1]! + widths[2]! + 4)}`;
  const out = [line(rows[0]!), rule, ...rows.slice(1).map(line), rule];
  out.push(`  unanswered, naive:   ${failureList(failures.naive)}`, `  unanswered, gateway: ${failureList(failures.gateway)}`, rule);
  for (const goal of report.goals) out.push(`  ${goal.met ? '✔ met    ' : '✘ not met'}  ${goal.name}: ${goal.detail}`);
  return out.join('\n');
}
