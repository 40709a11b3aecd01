import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { sleep, type Clock, type Timer } from '@bulwark/core';
import { SecretStoreLockedError } from '../secret-store-locked-error.js';
import { tempPathFor } from './atomic-write.js';

interface LockContent {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly at: number;
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  readonly timeoutMs: number;
  /** A lock not refreshed for this long is stale; its holder refreshes it every `staleMs / 3`. */
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
    const c = JSON.parse(await readFile(path, 'utf8')) as Partial<LockContent> | null;
    const whole = typeof c?.token === 'string' && typeof c.pid === 'number' && typeof c.host === 'string' && typeof c.at === 'number';
    return whole ? (c as LockContent) : undefined;
  } catch {
    return undefined;
  }
};

/** The lock file's identity and state, or undefined when there is none. */
const inspectLock = async (path: string): Promise<{ ino: bigint; content: LockContent | undefined } | undefined> => {
  try {
    const s = await stat(path, { bigint: true });
    return { ino: s.ino, content: await readLock(path) };
  } catch {
    return undefined;
  }
};

/** Errors of `link` on a file system without hard links: the lock is then made with `O_EXCL`. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Creates the lock file at `path` holding `content`, or returns false when one exists. The content
 * is written to a temporary file first and hard-linked into place, so the lock appears whole: no
 * reader ever sees it empty, and a writer killed at any point leaves either no lock or a full one.
 * Where the file system has no hard links, it falls back to `O_EXCL` and a write.
 */
async function createLock(path: string, content: string): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * An exclusive lock file, created whole (see {@link createLock}), holding a random token, the pid,
 * host and time, which its holder refreshes every `staleMs / 3` for as long as it holds it. A lock
 * whose process is gone (same host), not refreshed for `staleMs` (its holder hung or died on another
 * host: a live one refreshes it, however long it writes), or without
 * readable content (no writer of ours leaves one: it was damaged, or left by a writer on a file
 * system without hard links that died before writing it) is stale and taken over at once, by
 * renaming it aside first, so that two waiters cannot both remove it and each think they hold a
 * fresh one; whoever renamed away a lock that was not the stale one puts it back. A writer whose
 * lock was taken over finds out before committing (`stillHeld`).
 */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const { clock, timeoutMs, staleMs } = options;
  const me: LockContent = { token: randomBytes(16).toString('hex'), pid: process.pid, host: hostname(), at: clock.now() };
  const started = clock.monotonic();
  let delay = 2;
  for (;;) {
    if (await createLock(path, JSON.stringify({ ...me, at: clock.now() }))) break;
    const lock = await inspectLock(path);
    if (lock !== undefined) {
      const holder = lock.content;
      const stale = holder === undefined || (holder.host === me.host && !isAlive(holder.pid)) || clock.now() - holder.at > staleMs;
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
  const ours = async (): Promise<boolean> => (await readLock(path))?.token === me.token;
  let released = false;
  let timer: Timer | undefined;
  let refreshing: Promise<void> = Promise.resolve();
  // The new time is written beside the lock and renamed over it, so that no reader sees it half
  // written. Should a waiter have taken the lock over meanwhile, this puts ours back over theirs;
  // then they do not commit (their stillHeld is false) and we do: still one writer.
  const refresh = async (): Promise<void> => {
    if (released || !(await ours())) return;
    const temp = tempPathFor(path);
    try {
      await writeFile(temp, JSON.stringify({ ...me, at: clock.now() }), { mode: 0o600, flag: 'wx' });
      if (!released && (await ours())) await rename(temp, path);
    } finally {
      await unlink(temp).catch(() => {});
    }
    schedule();
  };
  const schedule = (): void => {
    if (released || !Number.isFinite(staleMs)) return;
    timer = clock.setTimeout(
      () => {
        refreshing = refresh().catch(() => {}); // a failed refresh leaves the lock to go stale: we then do not commit
      },
      staleMs / 3,
      { unref: true },
    );
  };
  schedule();
  return {
    stillHeld: ours,
    async release(): Promise<void> {
      released = true;
      timer?.clear();
      await refreshing; // a refresh under way must not put the lock back after we removed it
      if (await ours()) await unlink(path).catch(() => {});
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
