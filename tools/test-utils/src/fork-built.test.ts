import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { forkBuiltWorker } from './fork-built.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-fork-built-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a missing build fails at once, saying what to run', () => {
  const missing = join(dir, 'dist', 'index.js');
  expect(() => forkBuiltWorker(join(dir, 'worker.mjs'), { built: missing })).toThrow(`${missing} is missing: build first (npm test runs tsc -b`);
});

test('the child runs as plain Node: none of the runner flags or NODE_OPTIONS, but the extra variables', async () => {
  const worker = join(dir, 'report.mjs');
  writeFileSync(worker, 'process.send({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? null, extra: process.env.EXTRA });\n');
  const child = forkBuiltWorker(worker, { built: worker, env: { EXTRA: 'yes' } });
  const [message] = await once(child, 'message');
  await once(child, 'exit');
  expect(message).toEqual({ execArgv: [], nodeOptions: null, extra: 'yes' });
});
