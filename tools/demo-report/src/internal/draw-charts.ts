// The part of the report that runs in the browser. It is written here, type-checked with the rest,
// and put into the page as its source text (`drawCharts.toString()`), so it must stand alone: no
// import but types, no helper outside its body, nothing a bundler would have to rewrite.
import type uPlot from 'uplot';
import type { DemoReport } from '../demo-report.js';

/** The element ids of the charts, in page order. */
export const CHART_IDS = ['chart-success', 'chart-latency', 'chart-upstream', 'chart-breaker'] as const;

/**
 * Draws the four charts of the report into the elements {@link CHART_IDS} names, with the uPlot
 * constructor the page bundles. Returns the uPlot instances by element id (the page keeps them on
 * `window.bulwarkCharts`, so a test or a curious reader can look at the data drawn).
 */
export function drawCharts(UPlot: typeof uPlot, report: DemoReport, doc: Document): Record<string, uPlot> {
  const GATEWAY = '#2563eb';
  const NAIVE = '#ea580c';
  const BREAKER_LINE = '#334155';
  const LIMIT_LINE = '#64748b';
  const STATE_FILL: Record<string, string> = {
    closed: 'rgba(22, 163, 74, 0.16)',
    'half-open': 'rgba(217, 119, 6, 0.22)',
    open: 'rgba(220, 38, 38, 0.20)',
  };
  const STATE_NAMES = ['closed', 'half-open', 'open'];
  const MARKER: Record<string, string> = { 'outage-start': '#b91c1c', 'outage-end': '#15803d', rotation: '#7c3aed' };
  const px = UPlot.pxRatio;

  const { points, events } = report.timeline;
  const bucketS = report.timeline.bucketMs / 1000;
  const xs = points.map((p) => p.t);
  const successOf = (c: { requests: number; ok: number }): number | null => (c.requests === 0 ? null : (100 * c.ok) / c.requests);
  // The latency axis is logarithmic: a bucket without a positive latency is a gap, not a zero.
  const latency = (ms: number | null): number | null => (ms === null || ms <= 0 ? null : ms);
  const formatMs = (ms: number | null): string =>
    ms === null ? '—' : ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${Number(ms.toFixed(1))} ms`;

  // Runs of one breaker state, as [from, to) in seconds.
  const runs: { state: string; from: number; to: number }[] = [];
  points.forEach((p, i) => {
    const to = points[i + 1]?.t ?? p.t + bucketS;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.state === p.breaker && last.to === p.t) last.to = to;
    else runs.push({ state: p.breaker, from: p.t, to });
  });

  /** Shades the plot area where the breaker was in one of `states`: drawn first, under the series. */
  const shadeBreaker =
    (states: readonly string[]) =>
    (u: uPlot): void => {
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      for (const run of runs) {
        if (!states.includes(run.state)) continue;
        const x0 = u.valToPos(run.from, 'x', true);
        const x1 = u.valToPos(run.to, 'x', true);
        ctx.fillStyle = STATE_FILL[run.state] ?? 'transparent';
        ctx.fillRect(x0, top, x1 - x0, height);
      }
      ctx.restore();
    };

  /**
   * A dashed vertical line for each event, drawn last, over the series; with `labels`, its label in
   * the band at the top of the plot the chart keeps free for them (two rows, so that events close
   * together stay readable; near the right edge a label goes left of its line).
   */
  const drawMarkers =
    (labels: boolean) =>
    (u: uPlot): void => {
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      const taken: [number, number][][] = [[], []];
      ctx.save();
      ctx.font = `${12 * px}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      for (const event of [...events].sort((a, b) => a.t - b.t)) {
        const x = u.valToPos(event.t, 'x', true);
        if (x < left - 1 || x > left + width + 1) continue;
        const color = MARKER[event.kind] ?? '#000';
        ctx.strokeStyle = color;
        ctx.lineWidth = 2 * px;
        ctx.setLineDash([6 * px, 4 * px]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        if (!labels) continue;
        const textWidth = ctx.measureText(event.label).width;
        const tx = x + 5 * px + textWidth > left + width ? x - 5 * px - textWidth : x + 5 * px;
        const span: [number, number] = [tx - 4 * px, tx + textWidth + 4 * px];
        const row = Math.max(0, taken.findIndex((spans) => spans.every(([a, b]) => span[1] < a || span[0] > b)));
        taken[row]?.push(span);
        ctx.fillStyle = color;
        ctx.fillText(event.label, tx, top + (3 + row * 16) * px);
      }
      ctx.restore();
    };

  const charts: Record<string, uPlot> = {};
  const make = (id: string, height: number, options: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void => {
    const el = doc.getElementById(id);
    if (el === null) throw new Error(`The report page has no element #${id} to draw a chart in.`);
    el.textContent = '';
    const width = Math.max(320, el.clientWidth);
    charts[id] = new UPlot({ width, height, cursor: { sync: { key: 'demo' } }, ...options, series: options.series.map((one, i) => (i === 0 ? one : { points: { show: false }, ...one })) }, data, el);
  };
  const xAxis: uPlot.Axis = { label: 'seconds since start', labelSize: 20 };
  const xSeries: uPlot.Series = { label: 't', value: (_u, v) => (v === null ? '—' : `${v} s`) };

  make(
    'chart-success',
    260,
    {
      // Above 100% is a band kept free for the event labels.
      scales: { x: { time: false }, y: { range: [0, 122] } },
      axes: [
        xAxis,
        { label: 'success (%)', labelSize: 20, splits: () => [0, 20, 40, 60, 80, 100], values: (_u, ticks) => ticks.map((v) => `${v}%`) },
      ],
      series: [
        xSeries,
        { label: 'gateway', stroke: GATEWAY, width: 2, value: (_u, v) => (v === null ? '—' : `${v.toFixed(1)}%`) },
        { label: 'naive client', stroke: NAIVE, width: 2, value: (_u, v) => (v === null ? '—' : `${v.toFixed(1)}%`) },
      ],
      hooks: { drawClear: [shadeBreaker(['open', 'half-open'])], draw: [drawMarkers(true)] },
    },
    [xs, points.map((p) => successOf(p.gateway)), points.map((p) => successOf(p.naive))],
  );

  const msValue = (_u: uPlot, v: number | null): string => formatMs(v);
  make(
    'chart-latency',
    260,
    {
      scales: { x: { time: false }, y: { distr: 3, log: 10 } },
      axes: [
        xAxis,
        // A log axis has a grid line at every 1–9 of each decade: kept faint, so the series stand out.
        { label: 'latency', labelSize: 20, size: 78, grid: { stroke: 'rgba(0, 0, 0, 0.05)' }, values: (_u, ticks) => ticks.map((v) => formatMs(v)) },
      ],
      series: [
        xSeries,
        { label: 'gateway p50', stroke: GATEWAY, width: 2, value: msValue },
        { label: 'gateway p99', stroke: GATEWAY, width: 2, dash: [8, 5], value: msValue },
        { label: 'naive p50', stroke: NAIVE, width: 2, value: msValue },
        { label: 'naive p99', stroke: NAIVE, width: 2, dash: [8, 5], value: msValue },
      ],
      hooks: { drawClear: [shadeBreaker(['open', 'half-open'])], draw: [drawMarkers(false)] },
    },
    [
      xs,
      points.map((p) => latency(p.gateway.p50Ms)),
      points.map((p) => latency(p.gateway.p99Ms)),
      points.map((p) => latency(p.naive.p50Ms)),
      points.map((p) => latency(p.naive.p99Ms)),
    ],
  );

  const limit = report.meta.upstreamLimitPerSecond * bucketS;
  const callsValue = (_u: uPlot, v: number | null): string => (v === null ? '—' : String(Math.round(v)));
  make(
    'chart-upstream',
    220,
    {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, limit) * 1.1] } },
      axes: [xAxis, { label: 'upstream calls', labelSize: 20 }],
      series: [
        xSeries,
        { label: 'from the gateway', stroke: GATEWAY, width: 2, value: callsValue },
        { label: 'from the naive client', stroke: NAIVE, width: 2, value: callsValue },
        { label: "the upstream's limit", stroke: LIMIT_LINE, width: 1.5, dash: [4, 4], value: callsValue },
      ],
      hooks: { drawClear: [shadeBreaker(['open', 'half-open'])], draw: [drawMarkers(false)] },
    },
    [xs, points.map((p) => p.upstream.gateway), points.map((p) => p.upstream.naive), points.map(() => limit)],
  );

  const stepped = UPlot.paths.stepped;
  make(
    'chart-breaker',
    150,
    {
      scales: { x: { time: false }, y: { range: [-0.3, 2.3] } },
      axes: [
        xAxis,
        {
          label: 'breaker',
          labelSize: 20,
          size: 80,
          splits: () => [0, 1, 2],
          values: (_u, ticks) => ticks.map((v) => STATE_NAMES[v] ?? ''),
        },
      ],
      series: [
        xSeries,
        {
          label: 'gateway breaker',
          stroke: BREAKER_LINE,
          width: 2,
          ...(stepped === undefined ? {} : { paths: stepped({ align: 1 }) }),
          value: (_u, v) => (v === null ? '—' : (STATE_NAMES[v] ?? String(v))),
        },
      ],
      hooks: { drawClear: [shadeBreaker(STATE_NAMES)], draw: [drawMarkers(false)] },
    },
    [xs, points.map((p) => STATE_NAMES.indexOf(p.breaker))],
  );

  let resizing = 0;
  doc.defaultView?.addEventListener('resize', () => {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(() => {
      for (const [id, chart] of Object.entries(charts)) {
        const el = doc.getElementById(id);
        if (el !== null) chart.setSize({ width: Math.max(320, el.clientWidth), height: chart.height });
      }
    });
  });
  return charts;
}
