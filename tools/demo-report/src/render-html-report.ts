import { createHash } from 'node:crypto';
import { assertDemoReport } from './assert-demo-report.js';
import type { ClientMetrics, DemoReport } from './demo-report.js';
import { readChartLibrary } from './internal/chart-library.js';
import { CHART_IDS, drawCharts } from './internal/draw-charts.js';
import { escapeHtml, jsonForScript, rawText } from './internal/escape.js';

const DATA_ID = 'demo-report-data';
const count = new Intl.NumberFormat('en-US');

/** A row of the summary table: how to show a metric and which way is better. */
interface Row {
  readonly key: keyof ClientMetrics;
  readonly label: string;
  readonly format: (value: number) => string;
  readonly better?: 'higher' | 'lower';
}

const percent = (rate: number): string => `${(rate * 100).toFixed(2)}%`;
const ms = (value: number): string =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : value >= 10 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
const plain = (value: number): string => count.format(value);

const ROWS: readonly Row[] = [
  { key: 'successRate', label: 'Success rate', format: percent, better: 'higher' },
  { key: 'requests', label: 'Requests', format: plain },
  { key: 'p50Ms', label: 'Latency p50', format: ms, better: 'lower' },
  { key: 'p95Ms', label: 'Latency p95', format: ms, better: 'lower' },
  { key: 'p99Ms', label: 'Latency p99', format: ms, better: 'lower' },
  { key: 'upstreamCalls', label: 'Upstream calls', format: plain, better: 'lower' },
  { key: 'status429', label: '429s from the upstream', format: plain, better: 'lower' },
  { key: 'cacheAnswers', label: 'Answers from the cache', format: plain },
  { key: 'staleAnswers', label: 'Stale answers', format: plain },
  { key: 'offlineAnswers', label: 'Offline answers', format: plain },
  { key: 'breakerTransitions', label: 'Breaker transitions', format: plain },
  { key: 'rotationsSurvived', label: 'Key rotations survived', format: plain },
];

/**
 * Renders a demo report as one self-contained HTML page: the run's settings, the goals met and not
 * met, a table of both clients' figures, and charts over time — success rate and latency of both
 * clients, the gateway's circuit-breaker state as a band, markers for the outage and the key
 * rotations. The charting library (uPlot) and the data are inside the page, and its Content Security
 * Policy forbids every network request: it opens offline, from a file or an attachment.
 *
 * Checks `report` first, like {@link assertDemoReport}: a missing or malformed field throws a
 * `TypeError` naming it. Every string from the report is escaped; the data travels as JSON in a
 * `<script type="application/json">` element with each `<` escaped.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('demo-report.html', renderHtmlReport(report));
 * ```
 */
export function renderHtmlReport(report: DemoReport): string {
  assertDemoReport(report);
  const library = readChartLibrary();
  const libraryScript = rawText('script', library.script, `uPlot ${library.version}`);
  const pageScript = rawText(
    'script',
    `(function () {
  var data = JSON.parse(document.getElementById(${JSON.stringify(DATA_ID)}).textContent);
  try {
    window.bulwarkCharts = (${drawCharts.toString()})(uPlot, data, document);
    document.documentElement.dataset.charts = 'drawn';
  } catch (error) {
    document.documentElement.dataset.charts = 'failed';
    var box = document.getElementById('chart-error');
    box.hidden = false;
    box.textContent = 'The charts could not be drawn: ' + error;
    throw error;
  }
})();`,
    'the chart script',
  );
  const csp = [
    "default-src 'none'",
    `script-src ${[libraryScript, pageScript].map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const { meta, goals } = report;
  const metGoals = goals.filter((g) => g.met).length;
  const verdict =
    goals.length === 0
      ? { cls: 'none', text: 'No goals were set for this run.' }
      : metGoals === goals.length
        ? { cls: 'met', text: `All ${goals.length} goals met.` }
        : { cls: 'not-met', text: `${goals.length - metGoals} of ${goals.length} goals not met.` };
  const title = `Bulwark demo report: ${meta.profile} profile, ${meta.startedAt}`;
  const settings = [
    `${meta.profile} fault profile`,
    `${plain(meta.durationS)} s`,
    `${meta.instances} gateway instance${meta.instances === 1 ? '' : 's'}`,
    `${plain(meta.ratePerSecond)} requests/s per client`,
    meta.seed === null ? 'unseeded' : `seed ${meta.seed}`,
    `started ${meta.startedAt}`,
  ];
  const bucket = report.timeline.bucketMs === 1000 ? 'second' : `${plain(report.timeline.bucketMs)} ms`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(title)}</title>
<style>${rawText('style', library.style, `uPlot ${library.version}'s stylesheet`)}</style>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Bulwark demo: the validation gateway against a naive client</h1>
<p class="settings">${settings.map(escapeHtml).join(' · ')}</p>
</header>
<p class="verdict ${verdict.cls}">${escapeHtml(verdict.text)}${report.secretsInLogs === 0 ? '' : ` ${escapeHtml(`${plain(report.secretsInLogs)} secret value(s) found in the logs.`)}`}</p>
<div class="columns">
<section>
<h2>Goals</h2>
${goals.length === 0 ? '<p>None.</p>' : `<ul class="goals">\n${goals.map((g) => `<li class="${g.met ? 'met' : 'not-met'}"><span class="mark">${g.met ? '✔ met' : '✘ not met'}</span> <strong>${escapeHtml(g.name)}</strong>${g.detail === '' ? '' : ` <span class="detail">${escapeHtml(g.detail)}</span>`}</li>`).join('\n')}\n</ul>`}
</section>
<section>
<h2>Summary</h2>
<table class="summary">
<thead><tr><th scope="col">Metric</th><th scope="col" class="gateway">Gateway</th><th scope="col" class="naive">Naive client</th></tr></thead>
<tbody>
${ROWS.map((row) => summaryRow(row, report.gateway, report.naive)).join('\n')}
<tr><th scope="row">Secret values in the logs</th><td colspan="2" class="${report.secretsInLogs === 0 ? 'good' : 'bad'}">${plain(report.secretsInLogs)}</td></tr>
</tbody>
</table>
</section>
</div>
<section class="charts">
<h2>Over time</h2>
<p class="legend"><span class="swatch gateway-line"></span>gateway <span class="swatch naive-line"></span>naive client <span class="swatch closed"></span>breaker closed <span class="swatch half-open"></span>half-open <span class="swatch open"></span>open <span class="swatch outage-start"></span>outage starts <span class="swatch outage-end"></span>outage ends <span class="swatch rotation"></span>key rotation</p>
<p id="chart-error" class="bad" hidden></p>
<h3>Success rate per ${escapeHtml(bucket)}</h3>
<div id="${CHART_IDS[0]}" class="chart"><p class="placeholder">The charts need JavaScript.</p></div>
<h3>Latency per ${escapeHtml(bucket)}: p50 solid, p99 dashed (log scale)</h3>
<div id="${CHART_IDS[1]}" class="chart"></div>
<h3>Calls reaching the upstream per ${escapeHtml(bucket)}, against its limit</h3>
<div id="${CHART_IDS[2]}" class="chart"></div>
<h3>The gateway's circuit breaker</h3>
<div id="${CHART_IDS[3]}" class="chart"></div>
${eventList(report)}
</section>
<footer>Charts drawn with uPlot ${escapeHtml(library.version)} (MIT), bundled into this file: it needs no network.</footer>
<script type="application/json" id="${DATA_ID}">${jsonForScript(report)}</script>
<script>${libraryScript}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}

function summaryRow(row: Row, gateway: ClientMetrics, naive: ClientMetrics): string {
  const g = gateway[row.key];
  const n = naive[row.key];
  const better = (mine: number, theirs: number): string =>
    row.better === undefined || mine === theirs ? '' : (row.better === 'higher') === mine > theirs ? ' class="better"' : '';
  return `<tr><th scope="row">${escapeHtml(row.label)}</th><td${better(g, n)}>${escapeHtml(row.format(g))}</td><td${better(n, g)}>${escapeHtml(row.format(n))}</td></tr>`;
}

function eventList(report: DemoReport): string {
  const { events } = report.timeline;
  if (events.length === 0) return '<p class="events">No outage or key rotation during this run.</p>';
  const items = [...events]
    .sort((a, b) => a.t - b.t)
    .map((e) => `<li class="${e.kind}"><span class="at">${escapeHtml(`${plain(e.t)} s`)}</span> ${escapeHtml(e.label)}</li>`);
  return `<h3>Events</h3>\n<ul class="events">\n${items.join('\n')}\n</ul>`;
}

const STYLE = `
:root { color-scheme: light; --gateway: #2563eb; --naive: #ea580c; --good: #15803d; --bad: #b91c1c; --muted: #64748b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #0f172a; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 10px; }
h3 { font-size: 1rem; margin: 22px 0 6px; }
.settings { margin: 0; color: var(--muted); }
.verdict { font-size: 1.1rem; font-weight: 600; padding: 10px 14px; border-radius: 6px; margin: 16px 0 20px; }
.verdict.met { background: #dcfce7; color: #14532d; }
.verdict.not-met { background: #fee2e2; color: #7f1d1d; }
.verdict.none { background: #f1f5f9; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 32px; align-items: start; }
@media (max-width: 860px) { .columns { grid-template-columns: minmax(0, 1fr); } }
.goals { list-style: none; padding: 0; margin: 0; }
.goals li { padding: 8px 10px; border-left: 4px solid; margin-bottom: 8px; background: #f8fafc; }
.goals li.met { border-color: var(--good); }
.goals li.not-met { border-color: var(--bad); background: #fef2f2; }
.goals .mark { font-weight: 700; white-space: nowrap; }
.goals .met .mark { color: var(--good); }
.goals .not-met .mark { color: var(--bad); }
.goals .detail { display: block; color: #334155; font-variant-numeric: tabular-nums; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.summary th, .summary td { padding: 5px 10px; border-bottom: 1px solid #e2e8f0; text-align: right; }
.summary th[scope="row"], .summary thead th:first-child { text-align: left; font-weight: 500; }
.summary thead th { border-bottom: 2px solid #cbd5e1; }
.summary th.gateway { color: var(--gateway); }
.summary th.naive { color: var(--naive); }
.summary td.better { font-weight: 700; background: #f0fdf4; }
.good { color: var(--good); font-weight: 700; }
.bad { color: var(--bad); font-weight: 700; }
.charts { margin-top: 28px; }
.chart { width: 100%; min-height: 40px; }
.placeholder { color: var(--muted); }
.legend { color: #334155; margin: 0 0 4px; }
.swatch { display: inline-block; width: 18px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; border-radius: 2px; }
.swatch:first-child { margin-left: 0; }
.swatch.gateway-line { background: var(--gateway); height: 3px; vertical-align: 3px; }
.swatch.naive-line { background: var(--naive); height: 3px; vertical-align: 3px; }
.swatch.closed { background: rgba(22, 163, 74, 0.3); }
.swatch.half-open { background: rgba(217, 119, 6, 0.4); }
.swatch.open { background: rgba(220, 38, 38, 0.35); }
.swatch.outage-start, .swatch.outage-end, .swatch.rotation { width: 0; height: 14px; border-left: 2px dashed; border-radius: 0; }
.swatch.outage-start { border-color: #b91c1c; }
.swatch.outage-end { border-color: #15803d; }
.swatch.rotation { border-color: #7c3aed; }
.events { padding-left: 0; list-style: none; columns: 2; }
.events .at { display: inline-block; min-width: 4em; font-variant-numeric: tabular-nums; color: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 0.85rem; }
`;
