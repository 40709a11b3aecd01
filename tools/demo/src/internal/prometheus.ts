import type { BreakerState } from '@bulwark/demo-report';

// Just enough of the Prometheus text format to read the gateway's /metrics: samples by name and labels.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every sample named `name` whose labels include `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => sample.labels[k] === v)) sum += sample.value;
  }
  return sum;
}


/** The upstream circuit's state from `bulwark_breaker_state` (1 for the current state). */
export function breakerState(samples: readonly Sample[]): BreakerState {
  for (const sample of samples) {
    if (sample.name !== 'bulwark_breaker_state' || sample.value !== 1) continue;
    const state = sample.labels['bulwark_breaker_state'];
    if (state === 'open' || state === 'isolated') return 'open';
    if (state === 'half_open' || state === 'half-open') return 'half-open';
  }
  return 'closed';
}

const SEVERITY: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The worse of two states: open over half-open over closed. */
export function worse(a: BreakerState, b: BreakerState): BreakerState {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}
