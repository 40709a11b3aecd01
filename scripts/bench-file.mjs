// Runs the suites of one bench file and prints their results as one JSON array on the last line.
// Each file runs in its own process so that one library's JIT state does not colour another's.
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';

const [file] = process.argv.slice(2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const timeMs = Number(process.env.BENCH_TIME_MS ?? 400);

const mod = await import(pathToFileURL(file).href);
const exported = mod.default;
const suites = typeof exported === 'function' ? await exported() : exported;
if (!Array.isArray(suites)) throw new TypeError(`${file}: the default export must be an array of suites or a function returning one.`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const suite of suites) {
  const ours = suite.cases.filter((c) => c.peer === null);
  if (ours.length !== 1) throw new Error(`${file}: suite ${JSON.stringify(suite.suite)} must have exactly one case with peer null, has ${ours.length}.`);
  const samples = new Map(suite.cases.map((c) => [c.name, []]));
  // Interleaved rounds: every case is measured early and late, so drift hits all alike.
  for (let round = 0; round < rounds; round++) {
    for (const c of suite.cases) {
      // A case that measures itself (an HTTP load generator driving a server, say) says its own figures.
      if (typeof c.measure === 'function') {
        samples.get(c.name).push(await c.measure({ round }));
        continue;
      }
      const bench = new Bench({ time: timeMs, warmupTime: round === 0 ? 200 : 50, throws: true });
      bench.add(c.name, c.fn);
      await bench.run();
      const r = bench.tasks[0].result;
      if (r.state !== 'completed') throw new Error(`${file}: ${suite.suite} / ${c.name} ended ${r.state}: ${r.error?.message ?? ''}`);
      const batch = c.batch ?? 1;
      samples.get(c.name).push({ meanNs: (r.period * 1e6) / batch, p99Ns: (r.latency.p99 * 1e6) / batch });
    }
  }
  const oursSamples = samples.get(ours[0].name);
  for (const c of suite.cases) {
    const s = samples.get(c.name);
    const meanNs = median(s.map((x) => x.meanNs));
    results.push({
      suite: suite.suite,
      case: c.name,
      hz: Math.round(1e9 / meanNs),
      meanNs: Math.round(meanNs * 10) / 10,
      p99Ns: Math.round(median(s.map((x) => x.p99Ns)) * 10) / 10,
      peer: c.peer,
      // Ours ÷ this, round by round (measured moments apart), then the median: steadier than the
      // ratio of the two medians when the machine's load changes during the run.
      ...(c.peer === null ? {} : { ratio: median(s.map((x, round) => x.meanNs / oursSamples[round].meanNs)) }),
    });
  }
  await suite.teardown?.();
}
console.log(JSON.stringify(results));
process.exit(0);
