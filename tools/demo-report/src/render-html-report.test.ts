import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { renderHtmlReport, sampleDemoReport, type DemoReport } from './index.js';

const HOSTILE = '</script><script>window.pwned = 1</script><!-- \u2028 "quoted" & \'single\'';

/** The text of each `<script>` element, by its opening tag. */
function scripts(html: string): { readonly tag: string; readonly text: string }[] {
  return [...html.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script>/gi)].map(([, tag, text]) => ({ tag: tag!, text: text! }));
}

function hostileReport(): DemoReport {
  const report = sampleDemoReport({ seconds: 30 });
  return {
    ...report,
    meta: { ...report.meta, profile: `"><b onmouseover=alert(1)>${HOSTILE}` },
    timeline: { ...report.timeline, events: report.timeline.events.map((e) => ({ ...e, label: `${e.label} ${HOSTILE}` })) },
    goals: [...report.goals, { name: `<img src=x onerror=alert(1)> ${HOSTILE}`, met: false, detail: HOSTILE }],
  };
}

describe('renderHtmlReport', () => {
  test('renders one page with the summary, the goals and a place for each chart', () => {
    const report = sampleDemoReport();
    const html = renderHtmlReport(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('All 4 goals met.');
    expect(html.match(/<li class="met">/g)).toHaveLength(4);
    expect(html).toContain(`${(report.gateway.successRate * 100).toFixed(2)}%`);
    expect(html).toContain(`${(report.naive.successRate * 100).toFixed(2)}%`);
    for (const label of ['Success rate', 'Latency p50', 'Latency p95', 'Latency p99', 'Upstream calls', '429s from the upstream', 'Answers from the cache', 'Stale answers', 'Offline answers', 'Breaker transitions', 'Key rotations survived', 'Requests', 'Secret values in the logs']) {
      expect(html, label).toContain(`<th scope="row">${label}</th>`);
    }
    for (const id of ['chart-success', 'chart-latency', 'chart-upstream', 'chart-breaker']) expect(html).toContain(`<div id="${id}" class="chart">`);
  });

  test('says which goals were not met', () => {
    const report = sampleDemoReport();
    const html = renderHtmlReport({ ...report, goals: report.goals.map((g, i) => (i === 0 ? { ...g, met: false } : g)) });
    expect(html).toContain('1 of 4 goals not met.');
    expect(html.match(/<li class="not-met">/g)).toHaveLength(1);
  });

  test('is self-contained: the charting library inline, no reference to any other file or host', () => {
    const html = renderHtmlReport(sampleDemoReport());
    // Nothing the browser would fetch: no src, href, action or CSS url() but data:, no <link>, no @import.
    expect(html).not.toMatch(/\b(?:src|href|action|poster|srcset)\s*=/i);
    expect(html).not.toMatch(/<(?:link|iframe|img|object|embed|base)\b/i);
    expect(html).not.toMatch(/@import/i);
    expect([...html.matchAll(/url\(\s*['"]?([^'")]*)/gi)].map((m) => m[1]).filter((u) => !u!.startsWith('data:'))).toEqual([]);
    // uPlot itself is in the page.
    const [data, library, page] = scripts(html);
    expect(data!.tag).toBe('<script type="application/json" id="demo-report-data">');
    expect(library!.text.length).toBeGreaterThan(30_000);
    expect(library!.text).toMatch(/uPlot/);
    expect(page!.text).toContain('bulwarkCharts');
  });

  test('its Content Security Policy forbids the network and allows exactly its own two scripts', () => {
    const html = renderHtmlReport(sampleDemoReport());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const hashes = [...csp!.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]);
    const executable = scripts(html).filter((s) => s.tag === '<script>');
    expect(executable).toHaveLength(2);
    expect(hashes).toEqual(executable.map((s) => createHash('sha256').update(s.text).digest('base64')));
  });

  test('escapes every string from the report: nothing in it can open or close an element', () => {
    const report = hostileReport();
    const html = renderHtmlReport(report);
    expect(scripts(html)).toHaveLength(3);
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b ');
    expect(html).not.toMatch(/<!--/);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#34;&#62;&#60;b onmouseover=alert(1)&#62;');
    // The data travels whole: the JSON in the page parses back to the report.
    const data = scripts(html)[0]!.text;
    expect(data).not.toContain('<');
    expect(data).not.toContain('\u2028');
    expect(JSON.parse(data)).toEqual(report);
  });

  test('renders a run without points, events or goals', () => {
    const report = sampleDemoReport();
    const html = renderHtmlReport({ ...report, timeline: { ...report.timeline, points: [], events: [] }, goals: [] });
    expect(html).toContain('No goals were set for this run.');
    expect(html).toContain('No outage or key rotation during this run.');
  });

  test('says when secrets were found in the logs', () => {
    const html = renderHtmlReport({ ...sampleDemoReport(), secretsInLogs: 2 });
    expect(html).toContain('2 secret value(s) found in the logs.');
    expect(html).toContain('<td colspan="2" class="bad">2</td>');
  });
});
