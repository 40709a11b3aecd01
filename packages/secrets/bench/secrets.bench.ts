import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { dotenvProvider, encryptedFileStore, memoryProvider, secret, secretManager } from '@bulwark/secrets';
import type { BenchSuite } from '@bulwark/test-utils';

const BATCH = 100;
const loop =
  (once: () => unknown) =>
  async (): Promise<void> => {
    for (let i = 0; i < BATCH; i++) await once();
  };

export default async (): Promise<readonly BenchSuite[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-bench-'));

  // A cached read through the manager, against reading process.env.
  process.env.BENCH_API_KEY = 'bench-api-key-value';
  const vault = secretManager({ providers: memoryProvider({ secrets: { API_KEY: 'bench-api-key-value' } }), ttlMs: 3_600_000 });
  await vault.get('API_KEY');

  // A .env file: ours re-parses only when the file changes; dotenv alone parses on every lookup.
  const envPath = join(dir, '.env');
  writeFileSync(envPath, Array.from({ length: 50 }, (_, i) => `KEY_${i}="value-${i}"`).join('\n'));
  const dotenv = dotenvProvider({ path: envPath });

  // The encrypted store's read of an unchanged file, against decrypting one value by hand.
  const storePath = join(dir, 'store.json');
  const store = encryptedFileStore({ path: storePath, keys: [{ key: randomBytes(32) }] });
  await store.set('API_KEY', 'bench-api-key-value');
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update('bench-api-key-value'), cipher.final()]);
  const tag = cipher.getAuthTag();
  const handPath = join(dir, 'hand.json');
  writeFileSync(handPath, JSON.stringify({ n: nonce.toString('base64'), c: sealed.toString('base64'), t: tag.toString('base64') }));

  const s = secret('bench-api-key-value');
  const a = Buffer.from('bench-api-key-value');
  const b = Buffer.from('bench-api-key-valuf');

  return [
    {
      suite: 'read a secret (cached)',
      cases: [
        { name: 'process.env lookup', peer: 'baseline', batch: BATCH, fn: loop(() => process.env.BENCH_API_KEY) },
        { name: '@bulwark/secrets vault.get (cached, audited)', peer: null, batch: BATCH, fn: loop(() => vault.get('API_KEY')) },
      ],
    },
    {
      suite: 'read one key from a .env file',
      cases: [
        { name: '@bulwark/secrets dotenvProvider.fetch (stat, parse on change)', peer: null, batch: BATCH, fn: loop(() => dotenv.fetch('KEY_7')) },
        {
          name: 'dotenv parse(readFile) per lookup',
          peer: 'dotenv',
          batch: BATCH,
          fn: loop(async () => parse(await readFile(envPath, 'utf8')).KEY_7),
        },
      ],
    },
    {
      suite: 'read and decrypt a stored secret',
      cases: [
        { name: '@bulwark/secrets encryptedFileStore.get (unchanged file)', peer: null, batch: BATCH, fn: loop(() => store.get('API_KEY')) },
        {
          name: 'readFile + JSON.parse + AES-256-GCM by hand',
          peer: 'baseline',
          batch: BATCH,
          fn: loop(async () => {
            const f = JSON.parse(await readFile(handPath, 'utf8')) as { n: string; c: string; t: string };
            const d = createDecipheriv('aes-256-gcm', key, Buffer.from(f.n, 'base64'));
            d.setAuthTag(Buffer.from(f.t, 'base64'));
            return Buffer.concat([d.update(Buffer.from(f.c, 'base64')), d.final()]).toString();
          }),
        },
      ],
    },
    {
      suite: 'compare a secret',
      cases: [
        { name: '@bulwark/secrets Secret.equals (SHA-256 digests + timingSafeEqual)', peer: null, batch: BATCH, fn: loop(() => s.equals('bench-api-key-valuf')) },
        { name: 'crypto.timingSafeEqual on equal-length buffers', peer: 'baseline', batch: BATCH, fn: loop(() => timingSafeEqual(a, b)) },
      ],
    },
  ];
};

