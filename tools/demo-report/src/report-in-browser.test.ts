// The report as a reader sees it: rendered from a sample run, opened from a file in headless Chromium
// (Debian's `chromium`, driven by playwright-core), offline. Every chart must have drawn its data,
// the page must log no error and ask for nothing over the network. A screenshot of the page is kept
// in .artifacts/report.png.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtmlReport, sampleDemoReport } from './index.js';

const CHROMIUM_TAG = '[chromium]';
// CHROMIUM_PATH names another binary (and, naming one that is not there, shows what happens without).
const chromiumPath = (process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser']).find((path) => existsSync(path));
const MISSING = `no chromium at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}; Debian: apt-get install chromium`;
if (chromiumPath === undefined && process.env.CI) {
  test(`${CHROMIUM_TAG} Chromium is installed (required under CI)`, () => {
    expect.fail(`The HTML report's browser test needs Chromium under CI: ${MISSING}.`);
  });
} else if (chromiumPath === undefined) {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n  ${CHROMIUM_TAG} the HTML report's browser test is SKIPPED: ${MISSING}.\n  Under CI this is a failure.\n${bar}\n`);
}

const artifacts = fileURLToPath(new URL('../.artifacts/', import.meta.url));
const SERIES_COLORS = { gateway: [0x25, 0x63, 0xeb], naive: [0xea, 0x58, 0x0c], breaker: [0x33, 0x41, 0x55] } as const;

/** What the page says about each chart: the data uPlot holds and the pixels its canvas shows. */
interface ChartState {
  readonly id: string;
  readonly series: readonly { readonly label: string; readonly values: number }[];
  readonly width: number;
  readonly height: number;
  /** Pixels within a small distance of each series colour, by colour name. */
  readonly colored: Record<string, number>;
  /** Pixels that are neither white nor transparent. */
  readonly inked: number;
}

describe.skipIf(chromiumPath === undefined)(`${CHROMIUM_TAG} the HTML report in a real browser`, () => {
  const report = sampleDemoReport({ seconds: 60 });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-demo-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(report));
    fileUrl = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    // Every request the page makes is recorded; any but the file itself is refused.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith(pathToFileURL(dir).href) ? route.continue() : route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.dataset.charts !== undefined, undefined, { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('the charts were drawn and the page logged no error', async () => {
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.dataset.charts)).toBe('drawn');
    expect(await page.locator('#chart-error').isHidden()).toBe(true);
  });

  test('the page asked for nothing but itself', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => url !== fileUrl)).toEqual([]);
  });

  test('every chart holds the data of every series and has drawn it on its canvas', async () => {
    const charts = await page.evaluate((colors) => {
      const near = (r: number, g: number, b: number, [cr, cg, cb]: readonly number[]): boolean =>
        Math.abs(r - cr!) + Math.abs(g - cg!) + Math.abs(b - cb!) < 40;
      const all = (window as unknown as { bulwarkCharts: Record<string, { data: (number | null)[][]; series: { label?: string }[]; ctx: CanvasRenderingContext2D }> }).bulwarkCharts;
      return Object.entries(all).map(([id, chart]) => {
        const { canvas } = chart.ctx;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const colored: Record<string, number> = Object.fromEntries(Object.keys(colors).map((name) => [name, 0]));
        let inked = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          const [r, g, b, a] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, pixels[i + 3]!];
          if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
          inked++;
          if (a < 250) continue;
          for (const [name, color] of Object.entries(colors)) if (near(r, g, b, color)) colored[name]!++;
        }
        return {
          id,
          series: chart.series.slice(1).map((s, i) => ({ label: s.label ?? '', values: chart.data[i + 1]!.filter((v) => v !== null).length })),
          width: canvas.width,
          height: canvas.height,
          colored,
          inked,
        };
      });
    }, SERIES_COLORS);

    expect(charts.map((c) => c.id)).toEqual(['chart-success', 'chart-latency', 'chart-upstream', 'chart-breaker']);
    for (const chart of charts as ChartState[]) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      // Every series holds (nearly) a value per second of the run.
      for (const series of chart.series) expect(series.values, `${chart.id} ${series.label}`).toBeGreaterThanOrEqual(report.timeline.points.length - 1);
      expect(chart.inked, chart.id).toBeGreaterThan(chart.width * chart.height * 0.05);
    }
    const [success, latency, upstream, breaker] = charts as ChartState[];
    // Lines in each series' own colour: the data was drawn, not only the axes.
    for (const chart of [success!, latency!, upstream!]) {
      expect(chart.colored.gateway, `${chart.id} gateway pixels`).toBeGreaterThan(200);
      expect(chart.colored.naive, `${chart.id} naive pixels`).toBeGreaterThan(200);
    }
    expect(breaker!.colored.breaker, 'breaker line pixels').toBeGreaterThan(200);
  });

  test('the breaker band and the event markers are on the charts', async () => {
    // The band's colours, sampled inside the plot area where the sample run had its breaker open and
    // closed, and the markers' colours on the lines of the outage and the rotation.
    const probe = await page.evaluate(
      ({ openAt, closedAt, markers }) => {
        const chart = (window as unknown as { bulwarkCharts: Record<string, { ctx: CanvasRenderingContext2D; bbox: { top: number; height: number }; valToPos: (v: number, s: string, c: boolean) => number }> }).bulwarkCharts['chart-breaker']!;
        const y = Math.round(chart.bbox.top + chart.bbox.height * 0.15);
        const pixel = (x: number): number[] => [...chart.ctx.getImageData(Math.round(x), y, 1, 1).data];
        const columnHas = (t: number, color: readonly number[]): boolean => {
          const x = Math.round(chart.valToPos(t, 'x', true));
          const { data } = chart.ctx.getImageData(x - 2, Math.round(chart.bbox.top), 5, Math.round(chart.bbox.height));
          for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i]! - color[0]!) + Math.abs(data[i + 1]! - color[1]!) + Math.abs(data[i + 2]! - color[2]!) < 40) return true;
          }
          return false;
        };
        return {
          open: pixel(chart.valToPos(openAt, 'x', true)),
          closed: pixel(chart.valToPos(closedAt, 'x', true)),
          markers: markers.map((m) => ({ ...m, found: columnHas(m.t, m.color) })),
        };
      },
      {
        openAt: report.timeline.points.find((p) => p.breaker === 'open')!.t + 0.5,
        closedAt: 5.5,
        markers: report.timeline.events.map((e) => ({
          t: e.t,
          kind: e.kind,
          color: { 'outage-start': [0xb9, 0x1c, 0x1c], 'outage-end': [0x15, 0x80, 0x3d], rotation: [0x7c, 0x3a, 0xed] }[e.kind],
        })),
      },
    );
    const [or, og, ob] = probe.open;
    const [cr, cg, cb] = probe.closed;
    expect(or! > og! && or! > ob!, `open band is reddish: ${probe.open.join(',')}`).toBe(true);
    expect(cg! > cr! && cg! > cb!, `closed band is greenish: ${probe.closed.join(',')}`).toBe(true);
    for (const marker of probe.markers) expect(marker.found, `${marker.kind} marker at ${marker.t} s`).toBe(true);
  });

  test('the summary and the goals are on the page, and a screenshot is kept', async () => {
    const text = await page.locator('body').innerText();
    expect(text).toContain('All 4 goals met.');
    expect(text).toContain(`${(report.gateway.successRate * 100).toFixed(2)}%`);
    expect(await page.locator('.goals li.met').count()).toBe(4);
    mkdirSync(artifacts, { recursive: true });
    const png = join(artifacts, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    writeFileSync(join(artifacts, 'report.html'), renderHtmlReport(report));
    expect(existsSync(png)).toBe(true);
  });

  test('strings from the report stay text: a label that tries to close the script runs nothing', async () => {
    const hostile = '</script><script>window.pwned = 1</script><!-- <img src=x onerror="window.pwned = 2">';
    const file = join(dir, 'hostile.html');
    writeFileSync(
      file,
      renderHtmlReport({
        ...report,
        meta: { ...report.meta, profile: hostile },
        timeline: { ...report.timeline, events: report.timeline.events.map((e) => ({ ...e, label: `${e.label} ${hostile}` })) },
        goals: [...report.goals, { name: hostile, met: false, detail: hostile }],
      }),
    );
    const other = await context.newPage();
    const problems: string[] = [];
    other.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    other.on('pageerror', (error) => problems.push(error.message));
    await other.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await other.waitForFunction(() => document.documentElement.dataset.charts !== undefined, undefined, { timeout: 10_000 });
    expect(await other.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await other.evaluate(() => document.documentElement.dataset.charts)).toBe('drawn');
    expect(await other.locator('img').count()).toBe(0);
    expect(await other.locator('.goals li.not-met').innerText()).toContain(hostile);
    expect(problems).toEqual([]);
    await other.close();
  });
});
