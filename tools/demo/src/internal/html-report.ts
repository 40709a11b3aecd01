// The HTML page beside the JSON comes from tools/demo-report (`renderHtmlReport`), loaded when asked
// for, so the demo runs (and writes its JSON) in a checkout where that package is not built.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DemoReport } from './report.js';

type Render = (report: DemoReport) => string;

/** `renderHtmlReport` of @bulwark/demo-report, or a sentence saying why it is not there. */
export async function loadHtmlRenderer(root: string): Promise<Render | string> {
  const candidates = ['@bulwark/demo-report', pathToFileURL(join(root, 'tools/demo-report/dist/index.js')).href];
  for (const specifier of candidates) {
    if (specifier.startsWith('file:') && !existsSync(new URL(specifier))) continue;
    try {
      const module = (await import(specifier)) as { renderHtmlReport?: unknown };
      if (typeof module.renderHtmlReport === 'function') return module.renderHtmlReport as Render;
    } catch {
      // Try the next.
    }
  }
  return 'tools/demo-report is not built in this checkout (build with `npx -y pnpm@10.34.9 exec tsc -b`)';
}
