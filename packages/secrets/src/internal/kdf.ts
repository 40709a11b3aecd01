import * as crypto from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** Parameters of a key record as stored in the file. */
export type KdfRecord =
  | { readonly algorithm: 'scrypt'; readonly salt: string; readonly cost: number; readonly blockSize: number; readonly parallelization: number }
  | { readonly algorithm: 'argon2id'; readonly salt: string; readonly memoryKiB: number; readonly passes: number; readonly parallelism: number }
  | { readonly algorithm: 'raw' };

/** Whether this runtime has `crypto.argon2` (Node 24.7 and later). */
export const hasArgon2 = typeof (crypto as { argon2?: unknown }).argon2 === 'function';

/** Derives a 32-byte key from a passphrase with the record's algorithm and parameters. */
export async function deriveKey(passphrase: string, record: KdfRecord): Promise<Buffer> {
  if (record.algorithm === 'raw') throw new Error('a raw key record takes a key, not a passphrase');
  const salt = Buffer.from(record.salt, 'base64');
  if (record.algorithm === 'scrypt') {
    const { cost: N, blockSize: r, parallelization: p } = record;
    return scryptAsync(passphrase.normalize('NFC'), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  }
  if (!hasArgon2) throw new Error('this store needs Argon2id, which this Node.js runtime lacks (Node 24.7 or later has it)');
  const argon2 = promisify(crypto.argon2);
  return argon2('argon2id', {
    message: passphrase.normalize('NFC'),
    nonce: salt,
    memory: record.memoryKiB,
    passes: record.passes,
    parallelism: record.parallelism,
    tagLength: 32,
  });
}
