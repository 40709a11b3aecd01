#!/usr/bin/env node
// `npm run demo`: see the root README and tools/demo/README.md.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoReport } from '@bulwark/demo-report';
import { parseArgs, USAGE, UsageError } from './internal/args.js';
import { ChildStartError } from './internal/child-process.js';
import { assertPortFree } from './internal/port-check.js';
import { DemoError, runDemo } from './internal/run-demo.js';
import { formatTable } from './internal/table.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

async function loadRenderer(): Promise<(report: DemoReport) => string> {
  try {
    return (await import('@bulwark/demo-report')).renderHtmlReport;
  } catch {
    throw new DemoError('tools/demo-report is not built: build first with `npx -y pnpm@10.34.9 exec tsc -b` (`npm run demo` does it for you).');
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: stop waiting; the exit handler kills what is left.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    controller.abort(new Interrupted(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const tty = process.stdout.isTTY === true;
  let lastPrinted = -Infinity;
  const progress = (line: string, final = false) => {
    if (tty) {
      process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    } else if (final || performance.now() - lastPrinted >= 5_000) {
      lastPrinted = performance.now();
      process.stdout.write(`${line}\n`);
    }
  };

  try {
    // The HTML renderer is loaded before the run, so that a missing build is said at once.
    const render = options.report === undefined ? undefined : await loadRenderer();
    for (let i = 0; i < options.instances && options.port !== 0; i++) await assertPortFree(options.port + i, '--port');
    await assertPortFree(options.upstreamPort, '--upstream-port');
    const scale = options.durationS / 60;
    process.stdout.write(
      `Bulwark demo: ${options.ratePerSecond} requests/s for ${options.durationS} s through ${options.instances > 1 ? `${options.instances} gateways sharing Redis` : 'the gateway'} and through plain fetch,\n` +
        `against the upstream simulator's hard profile (20% errors, 20 requests/s per key, an outage from ${Math.round(20 * scale)} s to ${Math.round(30 * scale)} s, a key rotation at ${Math.round(40 * scale)} s, hangs, drops; seed ${options.seed}).\n`,
    );
    const { report, rotations, failures } = await runDemo(options, { root: ROOT, signal: controller.signal, progress, env: process.env });
    process.stdout.write(`\n${formatTable(report, rotations, failures)}\n`);
    process.stdout.write('  success: an answer with a verdict within the caller\'s patience; latency: every request, answered or not.\n');
    if (options.report !== undefined && render !== undefined) {
      const jsonFile = resolve(options.report);
      const htmlFile = jsonFile.endsWith('.json') ? `${jsonFile.slice(0, -'.json'.length)}.html` : `${jsonFile}.html`;
      writeAtomically(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
      writeAtomically(htmlFile, render(report));
      process.stdout.write(`\nWrote ${jsonFile} and ${htmlFile}.\n`);
    }
    const missed = report.goals.filter((g) => !g.met).length;
    if (missed > 0) process.stdout.write(`\n${missed} goal(s) not met: exit code 1.\n`);
    return missed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      if (tty) process.stdout.write('\n');
      process.stderr.write(`demo: ${error.message}; every process it started has stopped, nothing was written.\n`);
      return error.signal === 'SIGINT' ? 130 : 143;
    }
    if (error instanceof DemoError || error instanceof ChildStartError) {
      process.stderr.write(`demo: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// Exit once done, not when the last idle keep-alive socket times out.
process.exit(await main(process.argv.slice(2)));
