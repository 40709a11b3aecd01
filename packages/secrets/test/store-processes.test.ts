import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkBuiltWorker } from '@bulwark/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { encryptedFileStore } from '../src/index.js';

const worker = new URL('./store-worker.mjs', import.meta.url);
const dist = new URL('../dist/index.js', import.meta.url);
const PASSPHRASE = 'multi-process passphrase'; // bulwark-allow-secret (test fixture)
const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-procs-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const start = (args: string[]): ChildProcess => {
  // A plain Node process, without the test runner's flags, so the package resolves to dist/.
  const child = forkBuiltWorker(worker, { built: dist, args, env: { STORE_PASSPHRASE: PASSPHRASE } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};
const exited = (child: ChildProcess, timeoutMs = 20_000): Promise<number | null> =>
  new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`child ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
const open = (path: string) =>
  encryptedFileStore({ path, keys: [{ passphrase: PASSPHRASE }], kdf: { algorithm: 'scrypt', cost: 1024 }, historyLimit: 1000 });

describe('encryptedFileStore across processes', () => {
  test('several processes writing at once lose no update', async () => {
    const path = join(dir, 'concurrent.json');
    const WORKERS = 4;
    const WRITES = 10;
    const workers = Array.from({ length: WORKERS }, (_, i) => start(['writer', path, String(i), String(WRITES)]));
    const codes = await Promise.all(workers.map((w) => exited(w)));
    expect(codes).toEqual(Array(WORKERS).fill(0));
    const store = open(path);
    const names = await store.list!();
    expect(names).toHaveLength(WORKERS * WRITES + 1);
    for (let i = 0; i < WORKERS; i++) {
      for (let j = 0; j < WRITES; j++) expect((await store.get(`w${i}-${j}`)).reveal()).toBe(`value-${i}-${j}`);
    }
    // Every one of the shared secret's updates got its own version: none overwrote another.
    const shared = (await store.describe()).find((s) => s.name === 'shared')!;
    expect(shared.versions).toHaveLength(WORKERS * WRITES);
    expect(shared.versions.at(-1)!.version).toBe(`v${WORKERS * WRITES}`);
  }, 60_000);

  test('a writer killed mid-write leaves the store intact, and the next writer takes over its lock', async () => {
    const path = join(dir, 'killed.json');
    await open(path).set('big', 'initial');
    for (let round = 0; round < 3; round++) {
      const child = start(['loop', path, '0', '0']);
      const written = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the looping writer wrote nothing within 20 s')), 20_000);
        child.once('exit', (code) => reject(new Error(`the looping writer exited early (${code})`)));
        child.on('message', (m: { written: number }) => {
          if (m.written >= 2 + round) {
            clearTimeout(timer);
            resolve(m.written);
          }
        });
      });
      // Let it get into the next write (lock taken, temporary file being written), then kill it.
      await new Promise((r) => setImmediate(r));
      child.kill('SIGKILL');
      await exited(child);
      const value = (await open(path).get('big')).reveal();
      const n = Number(value.split(':')[0]);
      expect(n).toBeGreaterThanOrEqual(written);
      expect(value.length).toBe(`${n}:`.length + 200_000);
    }
    // The dead writer's lock and temporary files do not block the next writer, which tidies them.
    await open(path).set('after', 'ok');
    expect((await open(path).get('after')).reveal()).toBe('ok');
    expect(readdirSync(dir).filter((f) => f.startsWith('.killed.json') || f.startsWith('killed.json.'))).toEqual([]);
  }, 60_000);
});
