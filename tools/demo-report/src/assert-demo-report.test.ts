import { describe, expect, test } from 'vitest';
import { assertDemoReport, renderHtmlReport, sampleDemoReport, type DemoReport } from './index.js';

/** The sample report as plain JSON, changed by `edit`. */
function broken(edit: (report: any) => void): unknown {
  const report = JSON.parse(JSON.stringify(sampleDemoReport({ seconds: 20 })));
  edit(report);
  return report;
}

describe('assertDemoReport', () => {
  test('accepts the sample report, and the same report after a trip through JSON', () => {
    const report = sampleDemoReport();
    expect(() => assertDemoReport(report)).not.toThrow();
    expect(() => assertDemoReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
  });

  test('ignores fields it does not know', () => {
    expect(() => assertDemoReport(broken((r) => { r.extra = { anything: true }; }))).not.toThrow();
  });

  test.each([
    ['a missing client', (r: any) => { delete r.naive; }, 'Expected `report.naive` to be an object, got undefined.'],
    ['a missing metric', (r: any) => { delete r.gateway.p99Ms; }, 'Expected `report.gateway.p99Ms` to be a non-negative number, got undefined.'],
    ['a success rate above 1', (r: any) => { r.gateway.successRate = 99.5; }, 'Expected `report.gateway.successRate` to be a number from 0 to 1, got 99.5.'],
    ['a count that is not an integer', (r: any) => { r.naive.status429 = '12'; }, 'Expected `report.naive.status429` to be a non-negative integer, got "12".'],
    ['no secrets count', (r: any) => { delete r.secretsInLogs; }, 'Expected `report.secretsInLogs` to be a non-negative integer, got undefined.'],
    ['no meta', (r: any) => { delete r.meta; }, 'Expected `report.meta` to be an object, got undefined.'],
    ['a start that is not a time', (r: any) => { r.meta.startedAt = 'yesterday'; }, 'Expected `report.meta.startedAt` to be an ISO 8601 timestamp, got "yesterday".'],
    ['no instances', (r: any) => { r.meta.instances = 0; }, 'Expected `report.meta.instances` to be a positive integer, got 0.'],
    ['a seed that is not a number', (r: any) => { r.meta.seed = 'abc'; }, 'Expected `report.meta.seed` to be an integer, got "abc".'],
    ['no timeline', (r: any) => { delete r.timeline; }, 'Expected `report.timeline` to be an object, got undefined.'],
    ['points that are not a list', (r: any) => { r.timeline.points = {}; }, 'Expected `report.timeline.points` to be an array, got an object (Object).'],
    ['points out of time order', (r: any) => { r.timeline.points[3].t = 1; }, 'Expected `report.timeline.points[3].t` to be a number of at least 2 (points in time order), got 1.'],
    ['more answers than requests', (r: any) => { r.timeline.points[2].naive.ok = r.timeline.points[2].naive.requests + 1; }, /^Expected `report\.timeline\.points\[2\]\.naive\.ok` to be an integer from 0 to (\d+) \(no more than its requests\), got \d+\.$/],
    ['a latency that is not a number', (r: any) => { r.timeline.points[0].gateway.p99Ms = '5'; }, 'Expected `report.timeline.points[0].gateway.p99Ms` to be a non-negative number or null, got "5".'],
    ['a breaker state it does not know', (r: any) => { r.timeline.points[4].breaker = 'ajar'; }, 'Expected `report.timeline.points[4].breaker` to be one of "closed", "open", "half-open", got "ajar".'],
    ['an event of another kind', (r: any) => { r.timeline.events[1].kind = 'deploy'; }, 'Expected `report.timeline.events[1].kind` to be one of "outage-start", "outage-end", "rotation", got "deploy".'],
    ['an event without a label', (r: any) => { delete r.timeline.events[0].label; }, 'Expected `report.timeline.events[0].label` to be a non-empty string, got undefined.'],
    ['no goals', (r: any) => { delete r.goals; }, 'Expected `report.goals` to be an array, got undefined.'],
    ['a goal met as a word', (r: any) => { r.goals[2].met = 'yes'; }, 'Expected `report.goals[2].met` to be a boolean, got "yes".'],
  ] as const)('refuses %s, naming the field', (_what, edit, message) => {
    const report = broken(edit);
    expect(() => assertDemoReport(report)).toThrow(TypeError);
    expect(() => assertDemoReport(report)).toThrow(message);
  });

  test('refuses what is not a report at all', () => {
    expect(() => assertDemoReport(null)).toThrow('Expected `report` to be an object, got null.');
    expect(() => assertDemoReport([])).toThrow('Expected `report` to be an object, got an array of length 0.');
    expect(() => assertDemoReport('{}')).toThrow('Expected `report` to be an object, got "{}".');
  });

  test('renderHtmlReport checks its argument the same way', () => {
    const report = broken((r) => { delete r.gateway.requests; }) as DemoReport;
    expect(() => renderHtmlReport(report)).toThrow('Expected `report.gateway.requests` to be a non-negative integer, got undefined.');
  });
});

describe('sampleDemoReport', () => {
  test('is the same for the same seed and different for another', () => {
    expect(sampleDemoReport({ seed: 3 })).toEqual(sampleDemoReport({ seed: 3 }));
    expect(sampleDemoReport({ seed: 3 })).not.toEqual(sampleDemoReport({ seed: 4 }));
  });

  test('has a point per second, an outage and a rotation, and meets the goals of the issue', () => {
    const report = sampleDemoReport({ seconds: 60 });
    expect(report.timeline.points).toHaveLength(60);
    expect(report.timeline.events.map((e) => e.kind)).toEqual(['outage-start', 'outage-end', 'rotation']);
    expect(report.timeline.points.some((p) => p.breaker === 'open')).toBe(true);
    expect(report.gateway.successRate).toBeGreaterThanOrEqual(0.995);
    expect(report.naive.successRate).toBeLessThanOrEqual(0.8);
    expect(report.goals.every((g) => g.met)).toBe(true);
  });

  test('refuses options it cannot honour', () => {
    expect(() => sampleDemoReport({ seconds: 5 })).toThrow('Expected `seconds` to be an integer from 20 to 86_400, got 5.');
    expect(() => sampleDemoReport({ duration: 60 } as never)).toThrow('Unknown option `duration` of sampleDemoReport(); did you mean `seconds`?');
  });
});
