// The charting library, read from its package at render time and put into the page whole, so the
// report needs no network. uPlot: see the README for why this one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** uPlot's browser build (it defines the global `uPlot`) and its stylesheet. */
export interface ChartLibrary {
  readonly script: string;
  readonly style: string;
  readonly version: string;
}

export function readChartLibrary(): ChartLibrary {
  const read = (file: string): string => readFileSync(require.resolve(`uplot/${file}`), 'utf8');
  const { version } = JSON.parse(read('package.json')) as { version: string };
  return { script: read('dist/uPlot.iife.min.js'), style: read('dist/uPlot.min.css'), version };
}
