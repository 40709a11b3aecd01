import { createFakeClock } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { seeded } from '../test/random.js';
import { burnRateAlerts, SRE_WORKBOOK_WINDOWS, type BurnRateAlert } from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Runs `minutes` of traffic, `perMinute` requests a minute, failing with probability errorRate(minute). */
function simulate(minutes: number, perMinute: number, errorRate: (minute: number) => number, seed = 1) {
  const clock = createFakeClock({ now: Date.UTC(2026, 0, 1) });
  const rng = seeded(seed);
  const slo = burnRateAlerts({ objective: 0.999, name: 'validate', clock });
  const alerts: Array<BurnRateAlert & { minute: number }> = [];
  const resolves: Array<BurnRateAlert & { minute: number }> = [];
  let minute = 0;
  slo.onAlert((a) => alerts.push({ ...a, minute }));
  slo.onResolve((a) => resolves.push({ ...a, minute }));
  const step = MIN / perMinute;
  for (; minute < minutes; minute++) {
    for (let i = 0; i < perMinute; i++) {
      slo.record(rng.next() >= errorRate(minute));
      clock.tick(step);
    }
  }
  return { slo, alerts, resolves, clock };
}

describe('burnRateAlerts', () => {
  test("the SRE workbook's rules are the default: 14.4× over 1 h and 5 min, 6× over 6 h and 30 min", () => {
    expect(SRE_WORKBOOK_WINDOWS).toEqual([
      { severity: 'page', longWindowMs: HOUR, shortWindowMs: 5 * MIN, factor: 14.4 },
      { severity: 'ticket', longWindowMs: 6 * HOUR, shortWindowMs: 30 * MIN, factor: 6 },
    ]);
  });

  test('no alert on steady traffic within the budget (fixed seed, 12 hours)', () => {
    const { alerts, slo } = simulate(12 * 60, 100, () => 0.0005);
    expect(alerts).toEqual([]);
    expect(slo.evaluate()).toEqual([]);
  });

  test('an outage burning 40× pages once both windows agree, with the numbers that tripped it', () => {
    // 4 % errors against a 0.1 % budget for two hours, once every window is full of normal traffic.
    const start = 400;
    const end = 520;
    const { alerts, resolves } = simulate(600, 200, (m) => (m >= start && m < end ? 0.04 : 0.0005));
    const page = alerts.find((a) => a.severity === 'page')!;
    expect(page).toBeDefined();
    // The 1 h average reaches 14.4× after about 22 minutes of a 40× burn.
    expect(page.minute).toBeGreaterThanOrEqual(start + 18);
    expect(page.minute).toBeLessThanOrEqual(start + 27);
    expect(page).toMatchObject({ name: 'validate', objective: 0.999, factor: 14.4, longWindowMs: HOUR, shortWindowMs: 5 * MIN });
    expect(page.errorBudget).toBeCloseTo(0.001);
    expect(page.burnRateLong).toBeGreaterThanOrEqual(14.4);
    expect(page.burnRateShort).toBeGreaterThanOrEqual(14.4);
    expect(page.burnRateLong).toBeCloseTo(page.errorRateLong / 0.001);
    expect(page.errorsLong / page.requestsLong).toBeCloseTo(page.errorRateLong);
    expect(page.requestsLong).toBeGreaterThan(5_000);
    expect(page.requestsShort).toBeLessThan(page.requestsLong);
    // The ticket (6× over 6 h and 30 min) follows later.
    const ticket = alerts.find((a) => a.severity === 'ticket')!;
    expect(ticket.minute).toBeGreaterThan(start + 45); // 6 h average at 6× after about 54 minutes
    expect(ticket.minute).toBeLessThan(start + 65);
    expect(ticket.burnRateLong).toBeGreaterThanOrEqual(6);
    // When the outage ends, the short window resolves the page within minutes, not an hour.
    const pageResolved = resolves.find((r) => r.severity === 'page')!;
    expect(pageResolved.minute).toBeGreaterThanOrEqual(end);
    expect(pageResolved.minute).toBeLessThanOrEqual(end + 6);
    expect(pageResolved.burnRateShort).toBeLessThan(14.4);
    // No flapping, even while the ticket's burn hovers right at 6×.
    expect(alerts.map((a) => a.severity)).toEqual(['page', 'ticket']);
    expect(resolves.map((a) => a.severity)).toEqual(['page', 'ticket']);
    const ticketResolved = resolves.find((r) => r.severity === 'ticket')!;
    expect(ticketResolved.minute).toBeGreaterThan(end + 20);
    expect(ticketResolved.minute).toBeLessThanOrEqual(end + 31);
  });

  test('a brief blip does not page: the long window must agree', () => {
    // One minute of 50 % errors: the 5 min window burns 100×, the hour only ~8×.
    const { alerts } = simulate(3 * 60, 100, (m) => (m === 90 ? 0.5 : 0.0005));
    expect(alerts.filter((a) => a.severity === 'page')).toEqual([]);
  });

  test('evaluate() resolves a firing alert when traffic stops and time moves on', () => {
    const clock = createFakeClock();
    const slo = burnRateAlerts({
      objective: 0.99,
      windows: [{ severity: 'fast', longWindowMs: 10 * MIN, shortWindowMs: MIN, factor: 10 }],
      clock,
    });
    const fired: string[] = [];
    slo.onAlert((a) => fired.push(`alert ${a.severity}`));
    slo.onResolve((a) => fired.push(`resolve ${a.severity}`));
    slo.record(false, 50);
    slo.record(true, 50);
    expect(fired).toEqual(['alert fast']);
    expect(slo.evaluate()[0]!.burnRateLong).toBeCloseTo(50);
    clock.tick(2 * MIN);
    expect(slo.evaluate()).toEqual([]); // the short window is empty: below minRequests
    expect(fired).toEqual(['alert fast', 'resolve fast']);
  });

  test('minRequests keeps a lone failure from paging', () => {
    const clock = createFakeClock();
    const slo = burnRateAlerts({ objective: 0.999, minRequests: 100, clock });
    const fired: BurnRateAlert[] = [];
    slo.onAlert((a) => fired.push(a));
    slo.record(false);
    expect(fired).toEqual([]);
  });

  test('validates its options by name', () => {
    expect(() => burnRateAlerts(undefined as never)).toThrow('Expected `options` to be an options object with `objective`');
    expect(() => burnRateAlerts({ objective: 1 })).toThrow('Expected `objective` to be a number above 0 and below 1 (such as 0.999), got 1.');
    expect(() => burnRateAlerts({ objective: 0.99, windows: [] })).toThrow('Expected `windows` to be a non-empty array of rules');
    expect(() =>
      burnRateAlerts({ objective: 0.99, windows: [{ severity: 'a', longWindowMs: MIN, shortWindowMs: HOUR, factor: 2 }] }),
    ).toThrow('windows[0].shortWindowMs');
    expect(() =>
      burnRateAlerts({
        objective: 0.99,
        windows: [
          { severity: 'a', longWindowMs: HOUR, shortWindowMs: MIN, factor: 2 },
          { severity: 'a', longWindowMs: HOUR, shortWindowMs: MIN, factor: 3 },
        ],
      }),
    ).toThrow('windows[1].severity');
    expect(() => burnRateAlerts({ objective: 0.99, bucketMs: 1 })).toThrow('bucketMs');
  });
});
