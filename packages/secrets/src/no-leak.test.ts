import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { createFakeClock } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';
import {
  chainProviders,
  directoryProvider,
  dotenvProvider,
  encryptedFileStore,
  envProvider,
  memoryProvider,
  secretManager,
  type SecretProvider,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-noleak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every value below is a secret; none may appear in anything the package produces.
const VALUES = {
  env: 'env-secret-Qx81LmZ',
  envFile: 'envfile-secret-Hp27Rv',
  dotenv: 'dotenv-secret-Tt93Kc',
  dir: 'dir-secret-Wq55Ns',
  store1: 'store-secret-Ja04Ye',
  store2: 'store-secret-Rotated-Mm61',
  memory1: 'memory-secret-Bd38Xo',
  memory2: 'memory-secret-Rotated-Cc72',
  malformedUrl: 'malformed-url-secret Zk19',
  malformedKey: 'pk_malformed-secret-Fe46',
  passphrase: 'store-passphrase-Gu83Lw', // bulwark-allow-secret (test fixture)
};

test('no secret value appears in any error, event or log line produced while using secrets', async () => {
  const dump: string[] = [];
  const record = (value: unknown): void => {
    dump.push(
      typeof value === 'string' ? value : '',
      inspect(value, { depth: 20, showHidden: true }),
      format('%s %o %O %j', value, value, value, value),
    );
    if (value instanceof Error) {
      dump.push(String(value), value.stack ?? '', JSON.stringify(value));
      for (let c: unknown = value.cause; c instanceof Error; c = c.cause) dump.push(String(c), c.stack ?? '', inspect(c, { depth: 20 }));
    } else {
      try {
        dump.push(JSON.stringify(value) ?? '');
      } catch {
        // circular: inspect above covered it
      }
    }
  };
  const attempt = async (fn: () => unknown): Promise<void> => {
    try {
      record(await fn());
    } catch (error) {
      record(error);
    }
  };

  writeFileSync(join(dir, 'env-file'), `${VALUES.envFile}\n`);
  writeFileSync(join(dir, '.env'), `DOTENV_KEY="${VALUES.dotenv}"\nBAD_URL="${VALUES.malformedUrl}"\n`);
  mkdirSync(join(dir, 'mounted'));
  writeFileSync(join(dir, 'mounted', 'dir_key'), VALUES.dir);
  const storePath = join(dir, 'store.json');
  const store = encryptedFileStore({ path: storePath, keys: [{ passphrase: VALUES.passphrase }], kdf: { algorithm: 'scrypt', cost: 1024 } });
  await attempt(() => store.set('STORE_KEY', VALUES.store1));
  const memory = memoryProvider({ secrets: { MEMORY_KEY: VALUES.memory1, STRIPE_KEY: VALUES.malformedKey } });
  let failing = false;
  const flaky: SecretProvider = {
    name: 'flaky',
    fetch: async (name) => {
      if (failing) throw new Error('backend unavailable');
      return memory.fetch(name);
    },
  };
  const clock = createFakeClock();
  const vault = secretManager({
    providers: [
      chainProviders(
        envProvider({ env: { ENV_KEY: VALUES.env, ENV_FILE_KEY_FILE: join(dir, 'env-file'), BOTH: VALUES.env, BOTH_FILE: join(dir, 'env-file') } }),
        dotenvProvider({ path: join(dir, '.env') }),
        directoryProvider({ path: join(dir, 'mounted') }),
      ),
      store,
      flaky,
    ],
    clock,
    ttlMs: 1_000,
    refreshAheadMs: 0,
  });
  vault.onAudit(record);
  vault.onRotated(record);
  vault.onRefreshFailed(record);

  // Reads, and the secrets themselves logged the careless way.
  for (const name of ['ENV_KEY', 'ENV_FILE_KEY', 'DOTENV_KEY', 'dir_key', 'STORE_KEY', 'MEMORY_KEY']) {
    const s = await vault.get(name);
    record(s);
    record(`read ${name}: ${s}`);
    record({ config: { [name]: s } });
    record(structuredClone({ s }));
    record(await vault.versions(name));
  }
  // Failures of every kind.
  await attempt(() => vault.get('BOTH'));
  await attempt(() => vault.get('NOT_THERE'));
  await attempt(() => vault.scope({ who: 'billing', names: ['STORE_KEY'] }).get('MEMORY_KEY'));
  await attempt(() =>
    vault.load({
      url: { name: 'BAD_URL', parse: (v: string) => new URL(v) },
      explicit: { name: 'DOTENV_KEY', parse: (v: string) => { throw new Error(`cannot parse ${v}`); } },
      stripe: { name: 'STRIPE_KEY', pattern: /^sk_/ },
      missing: { name: 'NOT_THERE' },
    }),
  );
  // Rotation, auth failure, refresh failure, expired use.
  memory.set('MEMORY_KEY', VALUES.memory2);
  await store.set('STORE_KEY', VALUES.store2);
  await clock.tickAsync(1_000);
  const refused = Object.assign(new Error('401 Unauthorized'), { status: 401 });
  await attempt(() => vault.withSecret('MEMORY_KEY', () => Promise.reject(refused)));
  await attempt(() => vault.refreshOnAuthFailure('STORE_KEY'));
  failing = true;
  await clock.tickAsync(1_000);
  await attempt(() => vault.get('MEMORY_KEY'));
  record(vault.stats);
  // The encrypted store's own failures.
  await attempt(() => encryptedFileStore({ path: storePath, keys: [{ passphrase: 'wrong' }] }).get('STORE_KEY'));
  await attempt(() => encryptedFileStore({ path: storePath, keys: [{ pass: VALUES.passphrase } as never] }));
  await attempt(() => store.set('X', 42 as never));
  await attempt(() => store.describe());
  const file = readFileSync(storePath, 'utf8');
  writeFileSync(storePath, file.replace(/"c": "(.)/, (_m: string, ch: string) => `"c": "${ch === 'A' ? 'B' : 'A'}`));
  await attempt(() => encryptedFileStore({ path: storePath, keys: [{ passphrase: VALUES.passphrase }] }).get('STORE_KEY'));
  await attempt(() => memory.set('Y', 7 as never));
  await vault.close();

  expect(dump.length).toBeGreaterThan(100);
  const all = dump.join('\n');
  expect(all).toContain('[REDACTED]');
  expect(all).toContain('SECRET_LOAD_FAILED');
  expect(all).toContain('SECRET_STORE_CORRUPT');
  expect(all).toContain('refresh-failed');
  for (const [label, value] of Object.entries(VALUES)) {
    expect(all.includes(value), `${label} leaked`).toBe(false);
  }
  // At rest, too: the store file holds no value and no passphrase.
  for (const value of Object.values(VALUES)) expect(file.includes(value)).toBe(false);
});
