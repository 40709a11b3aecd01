import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The name of a temporary file beside `path`; leftovers of crashed writers match `isTempFileOf`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to a temporary file beside `path`, flushes it to disk, and renames it over `path`
 * (atomic on POSIX file systems), then flushes the directory. A crash at any point leaves either
 * the old file or the new one, never a mix. `beforeCommit` runs after the flush and before the
 * rename; returning false abandons the write.
 */
export async function atomicWrite(path: string, data: string, beforeCommit: () => Promise<boolean>): Promise<boolean> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', 0o600);
  let committed = false;
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!(await beforeCommit())) return false;
    await rename(temp, path);
    committed = true;
  } finally {
    if (!committed) await unlink(temp).catch(() => {});
  }
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
  return true;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes temporary files beside `path` left by writers that died before renaming them. Call it
 * under the store's lock: a live writer's temporary file (its pid still running) is left alone.
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const base = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${base}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  let entries: string[];
  try {
    entries = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (m !== null && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) {
      await unlink(join(dirname(path), entry)).catch(() => {});
    }
  }
}
