import { expectBoolean, expectInteger, expectNumber, expectOneOf, invalidOption } from '@bulwark/core';
import type { DemoReport } from './demo-report.js';

const METRIC_COUNTS = [
  'upstreamCalls',
  'status429',
  'breakerTransitions',
  'offlineAnswers',
  'staleAnswers',
  'cacheAnswers',
  'rotationsSurvived',
  'requests',
] as const;
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
const EVENT_KINDS = ['outage-start', 'outage-end', 'rotation'] as const;

/**
 * Asserts `value` is a {@link DemoReport}: every field the report draws is there and of its kind.
 * Throws a `TypeError` naming the first field that is not, its value and what was expected:
 * "Expected `report.gateway.p99Ms` to be a non-negative number, got undefined." Fields the report
 * does not know are ignored. Use it on JSON read from a file before {@link renderHtmlReport}
 * (which checks its argument the same way).
 */
export function assertDemoReport(value: unknown, field = 'report'): asserts value is DemoReport {
  const report = expectRecord(field, value);
  assertMetrics(`${field}.gateway`, report.gateway);
  assertMetrics(`${field}.naive`, report.naive);
  expectInteger(`${field}.secretsInLogs`, report.secretsInLogs, { min: 0 });

  const meta = expectRecord(`${field}.meta`, report.meta);
  expectText(`${field}.meta.profile`, meta.profile);
  expectNumber(`${field}.meta.durationS`, meta.durationS, { above: 0 });
  expectInteger(`${field}.meta.instances`, meta.instances, { min: 1 });
  if (typeof meta.startedAt !== 'string' || Number.isNaN(Date.parse(meta.startedAt))) {
    throw invalidOption(`${field}.meta.startedAt`, meta.startedAt, 'an ISO 8601 timestamp');
  }
  expectNumber(`${field}.meta.ratePerSecond`, meta.ratePerSecond, { above: 0 });
  if (meta.seed !== null) expectInteger(`${field}.meta.seed`, meta.seed);
  expectNumber(`${field}.meta.upstreamLimitPerSecond`, meta.upstreamLimitPerSecond, { above: 0 });

  const timeline = expectRecord(`${field}.timeline`, report.timeline);
  expectNumber(`${field}.timeline.bucketMs`, timeline.bucketMs, { above: 0 });
  const points = expectArray(`${field}.timeline.points`, timeline.points);
  let previous = 0;
  points.forEach((item, i) => {
    const at = `${field}.timeline.points[${i}]`;
    const point = expectRecord(at, item);
    expectNumber(`${at}.t`, point.t, i === 0 ? { min: 0 } : { min: previous, reason: 'points in time order' });
    previous = point.t;
    assertBucket(`${at}.gateway`, point.gateway);
    assertBucket(`${at}.naive`, point.naive);
    expectOneOf(`${at}.breaker`, point.breaker, BREAKER_STATES);
    const upstream = expectRecord(`${at}.upstream`, point.upstream);
    expectInteger(`${at}.upstream.gateway`, upstream.gateway, { min: 0 });
    expectInteger(`${at}.upstream.naive`, upstream.naive, { min: 0 });
  });
  expectArray(`${field}.timeline.events`, timeline.events).forEach((item, i) => {
    const at = `${field}.timeline.events[${i}]`;
    const event = expectRecord(at, item);
    expectNumber(`${at}.t`, event.t, { min: 0 });
    expectOneOf(`${at}.kind`, event.kind, EVENT_KINDS);
    expectText(`${at}.label`, event.label);
  });

  expectArray(`${field}.goals`, report.goals).forEach((item, i) => {
    const at = `${field}.goals[${i}]`;
    const goal = expectRecord(at, item);
    expectText(`${at}.name`, goal.name);
    expectBoolean(`${at}.met`, goal.met);
    if (typeof goal.detail !== 'string') throw invalidOption(`${at}.detail`, goal.detail, 'a string');
  });
}

function assertMetrics(field: string, value: unknown): void {
  const metrics = expectRecord(field, value);
  expectNumber(`${field}.successRate`, metrics.successRate, { min: 0, max: 1 });
  for (const name of ['p50Ms', 'p95Ms', 'p99Ms'] as const) expectNumber(`${field}.${name}`, metrics[name], { min: 0 });
  for (const name of METRIC_COUNTS) expectInteger(`${field}.${name}`, metrics[name], { min: 0 });
}

function assertBucket(field: string, value: unknown): void {
  const bucket = expectRecord(field, value);
  expectInteger(`${field}.requests`, bucket.requests, { min: 0 });
  expectInteger(`${field}.ok`, bucket.ok, { min: 0, max: bucket.requests, reason: 'no more than its requests' });
  for (const name of ['p50Ms', 'p99Ms'] as const) {
    const ms = bucket[name];
    if (ms !== null && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)) {
      throw invalidOption(`${field}.${name}`, ms, 'a non-negative number or null');
    }
  }
}

function expectRecord(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidOption(field, value, 'an object');
  return value as Record<string, unknown>;
}

function expectArray(field: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw invalidOption(field, value, 'an array');
  return value;
}

function expectText(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw invalidOption(field, value, 'a non-empty string');
}
