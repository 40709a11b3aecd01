#!/usr/bin/env node
// The command line: node dist/main.js --port 0 --profile hard. See `--help`.
import { runCli } from './internal/cli.js';

const stopSignal = new Promise((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stopSignal });
