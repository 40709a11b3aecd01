#!/usr/bin/env node
// The door behind `npm test`, `npm run demo`, `npm run bench` and `npm run check`.
// It runs on whatever Node the machine has (20 or newer): it installs the workspace with the pinned
// pnpm, then hands over to the task script on the Node 24 that the workspace brings in as a
// dependency (`node` in the root devDependencies), so every tool below runs on the same runtime.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = 'pnpm@10.34.9';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [task, ...rest] = process.argv.slice(2);
const tasks = new Set(['test', 'demo', 'bench', 'check']);

if (!tasks.has(task)) {
  console.error(`entry: unknown task ${JSON.stringify(task)}; expected one of ${[...tasks].join(', ')}.`);
  process.exit(2);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`entry: Node ${process.versions.node} is too old to bootstrap the workspace; install Node 20 or newer.`);
  process.exit(2);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false, ...options });
  if (result.error) {
    console.error(`entry: could not run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  return result.status ?? 1;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const pnpm = (...args) => run(npx, ['-y', PNPM, ...args]);

// Install (fast when nothing changed). A committed lockfile is the contract: never rewrite it here.
const installArgs = ['install', '--reporter=append-only'];
if (existsSync(join(root, 'pnpm-lock.yaml'))) installArgs.push('--frozen-lockfile');
if (pnpm(...installArgs) !== 0) {
  console.error('entry: `pnpm install` failed; see the output above.');
  process.exit(1);
}

// `pnpm exec` puts node_modules/.bin (holding the workspace's Node 24) first on PATH, for this
// script and every process it starts.
process.exit(pnpm('exec', 'node', join('scripts', `${task}.mjs`), ...rest));
