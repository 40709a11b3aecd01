import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from './processes.js';
import { runStep, type Traffic } from './steps.js';

/** The gateway's cache hit against a bare Fastify route answering the same JSON, in one run. */
export interface Overhead {
  readonly gateway: { readonly rps: number; readonly p99Ms: number };
  readonly bare: { readonly rps: number; readonly p99Ms: number };
  /** Gateway ÷ bare throughput: the median of the rounds' ratios. */
  readonly ratio: number;
  readonly rounds: readonly { readonly gatewayRps: number; readonly bareRps: number; readonly gatewayP99Ms: number; readonly bareP99Ms: number }[];
  readonly connections: number;
  readonly seconds: number;
  /** The goal: at least 0.5× the bare route's throughput, p99 at most 5 ms at 50 connections. */
  readonly goal: { readonly ratio: number; readonly p99Ms: number; readonly met: boolean };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Both servers driven as fast as they answer, one after the other, over `rounds` interleaved rounds
 * (after a short warm-up of each), so that a slow spell of the machine hits both alike.
 */
export async function measureOverhead(gateway: Server, bare: Server, hit: Traffic, options: { readonly connections: number; readonly ratioSeconds: number }, rounds = 2): Promise<Overhead> {
  const { connections, ratioSeconds: seconds } = options;
  const warm = Math.min(2, seconds);
  await runStep(gateway.url, hit, undefined, warm, connections, Infinity);
  await runStep(bare.url, hit, undefined, warm, connections, Infinity);
  const measured: Overhead['rounds'][number][] = [];
  for (let i = 0; i < rounds; i++) {
    const g = await runStep(gateway.url, hit, undefined, seconds, connections, Infinity);
    const b = await runStep(bare.url, hit, undefined, seconds, connections, Infinity);
    measured.push({ gatewayRps: g.rps, bareRps: b.rps, gatewayP99Ms: g.latencyMs.p99, bareP99Ms: b.latencyMs.p99 });
  }
  const ratio = median(measured.map((r) => r.gatewayRps / r.bareRps));
  const gatewayP99Ms = median(measured.map((r) => r.gatewayP99Ms));
  const goal = { ratio: 0.5, p99Ms: 5 };
  return {
    gateway: { rps: median(measured.map((r) => r.gatewayRps)), p99Ms: gatewayP99Ms },
    bare: { rps: median(measured.map((r) => r.bareRps)), p99Ms: median(measured.map((r) => r.bareP99Ms)) },
    ratio,
    rounds: measured,
    connections,
    seconds,
    goal: { ...goal, met: ratio >= goal.ratio && gatewayP99Ms <= goal.p99Ms },
  };
}

/**
 * Writes the overhead into `latestFile` as a suite of the benchmark results (the shape
 * scripts/bench.mjs writes: `hz` requests/s, `meanNs` per request, `p99Ns`, and the peer's `ratio`
 * ours ÷ this), replacing that suite's rows from an earlier run and keeping every other suite.
 */
export function recordOverhead(latestFile: string, overhead: Overhead, connections: number): void {
  const suite = `validation-gateway: cache-hit POST /v1/validate/email vs a bare Fastify route, npm run load, ${connections} connections (hz = requests/s, p99 = latency)`;
  const row = (name: string, rps: number, p99Ms: number, peer: string | null) => ({
    suite,
    case: name,
    hz: Math.round(rps),
    meanNs: Math.round((1e9 / rps) * 10) / 10,
    p99Ns: p99Ms * 1e6,
    peer,
    ...(peer === null ? {} : { ratio: Math.round(overhead.ratio * 1000) / 1000 }),
  });
  const rows = [
    row('validation-gateway (auth, caller limit, child container, cache, metrics, log line, Server-Timing)', overhead.gateway.rps, overhead.gateway.p99Ms, null),
    row('bare Fastify route answering the same JSON', overhead.bare.rps, overhead.bare.p99Ms, 'baseline'),
  ];
  const kept = existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as { suite: string }[]).filter((r) => r.suite !== suite) : [];
  writeFileSync(latestFile, `${JSON.stringify([...kept, ...rows], null, 2)}\n`);
}
