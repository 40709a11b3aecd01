import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { sleep, type Clock } from '@bulwark/core';
import { SecretStoreLockedError } from '../secret-store-locked-error.js';

interface LockContent {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly at: number;
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  readonly timeoutMs: number;
  readonly staleMs: number;
  readonly clock: Clock;
}

/** A held lock: check it is still ours before committing, release it after. */
export interface HeldLock {
  /** Whether the lock file still holds our token (nobody took it over as stale). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readLock = async (path: string): Promise<LockContent | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
};

/** The lock file's identity and state, or undefined when there is none. */
const inspectLock = async (path: string): Promise<{ ino: bigint; ageMs: number; content: LockContent | undefined } | undefined> => {
  try {
    const s = await stat(path, { bigint: true });
    return { ino: s.ino, ageMs: Date.now() - Number(s.mtimeMs), content: await readLock(path) };
  } catch {
    return undefined;
  }
};

// A lock file without readable content belongs to a writer that died between creating and
// filling it (or is filling it right now): give it this long before calling it stale.
const EMPTY_LOCK_GRACE_MS = 2_000;

/**
 * An exclusive lock file created with `O_EXCL` (`wx`), holding a random token, the pid, host and
 * time. A lock whose process is gone (same host) or older than `staleMs` is stale and taken over by
 * renaming it aside first, so that two waiters cannot both remove it and each think they hold a
 * fresh one; whoever renamed away a lock that was not the stale one puts it back.
 */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const { clock, timeoutMs, staleMs } = options;
  const me: LockContent = { token: randomBytes(16).toString('hex'), pid: process.pid, host: hostname(), at: Date.now() };
  const started = clock.monotonic();
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ ...me, at: Date.now() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const lock = await inspectLock(path);
    if (lock !== undefined) {
      const holder = lock.content;
      const stale =
        holder === undefined
          ? lock.ageMs > Math.min(staleMs, EMPTY_LOCK_GRACE_MS)
          : (holder.host === me.host && !isAlive(holder.pid)) || Date.now() - holder.at > staleMs;
      if (stale) {
        await takeOver(path, lock.ino);
        continue;
      }
    }
    const waited = clock.monotonic() - started;
    if (waited >= timeoutMs) throw new SecretStoreLockedError(path, waited);
    await sleep(Math.min(delay + Math.random() * delay, timeoutMs - waited), { clock });
    delay = Math.min(delay * 2, 50);
  }
  return {
    async stillHeld(): Promise<boolean> {
      return (await readLock(path))?.token === me.token;
    },
    async release(): Promise<void> {
      if ((await readLock(path))?.token === me.token) await unlink(path).catch(() => {});
    },
  };
}

async function takeOver(path: string, staleIno: bigint): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else took it over first
  }
  const moved = await stat(aside, { bigint: true }).catch(() => undefined);
  if (moved !== undefined && moved.ino !== staleIno) {
    // We moved a fresh lock that replaced the stale one: put it back unless a newer one exists.
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}
