import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EventEmitter,
  expectBoolean,
  expectFunction,
  expectName,
  expectOptions,
  invalidOption,
  knownOptions,
} from '@bulwark/core';
import { FileCache } from './internal/file-cache.js';
import { isSafeFileName, stripTrailingNewline } from './internal/names.js';
import { Secret } from './secret.js';
import { SecretProviderFailedError } from './secret-provider-failed-error.js';
import type { SecretChangeEvent, SecretProvider, SecretVersions } from './secret-provider.js';

/** Options of {@link directoryProvider}. */
export interface DirectoryProviderOptions {
  /** The directory, one file per secret (`/run/secrets`, a Kubernetes secret volume). */
  readonly path: string;
  /**
   * Also watch the directory with `fs.watch` and emit `onChange` as soon as a file changes. Reads
   * check each file's inode, size and times anyway, so a change is seen on the next read with or
   * without the watcher (which some file systems do not support).
   * @default false
   */
  readonly watch?: boolean;
  /** Maps a secret name to a file name. @default the name itself */
  readonly mapName?: (name: string) => string;
  /** Provider name in errors and events. @default 'directoryProvider' */
  readonly name?: string;
}

/** A {@link SecretProvider} over a directory of files, with `close()` for its watcher. */
export interface DirectoryProvider extends SecretProvider {
  readonly onChange: SecretProvider['onChange'] & {};
  /** Stops watching the directory. Idempotent. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DIRECTORY_PROVIDER_OPTIONS = knownOptions<DirectoryProviderOptions>('directoryProvider()', {
  path: ['dir', 'directory'],
  watch: [],
  mapName: [],
  name: [],
});

/**
 * Reads secrets from a mounted directory, one file per secret, the Docker and Kubernetes
 * convention. A file is re-read when it changes (checked on every read by `stat`, so rotated
 * mounts are picked up without a restart). A trailing newline is stripped; an empty file counts as
 * unset. Names that are not plain file names (`../x`, `.hidden`, `a/b`) are refused.
 *
 * @example
 * ```ts
 * const mounted = directoryProvider({ path: '/run/secrets', watch: true });
 * ```
 */
export function directoryProvider(options: DirectoryProviderOptions): DirectoryProvider {
  expectOptions('options', options, DIRECTORY_PROVIDER_OPTIONS);
  if (typeof options?.path !== 'string' || options.path === '') throw invalidOption('path', options?.path, 'a directory path');
  const watchDir = options.watch ?? false;
  expectBoolean('watch', watchDir);
  const mapName = options.mapName ?? ((name: string) => name);
  expectFunction('mapName', mapName);
  const providerName = options.name ?? 'directoryProvider';
  expectName(providerName);
  const dir = options.path;
  const cache = new FileCache((text) => stripTrailingNewline(text));
  const changes = new EventEmitter<SecretChangeEvent>();
  let watcher: FSWatcher | undefined;

  if (watchDir) {
    try {
      watcher = watch(dir, { persistent: false }, (_type, file) => {
        const name = typeof file === 'string' && isSafeFileName(file) ? file : undefined;
        if (name === undefined) cache.invalidate();
        else cache.invalidate(join(dir, name));
        changes.emit({ name: providerName, secretName: name });
      });
      // A watcher that dies (the directory was unmounted) leaves the stat check on read.
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  }

  return {
    name: providerName,
    onChange: changes.event,
    async fetch(name: string): Promise<SecretVersions | undefined> {
      const file = mapName(name);
      if (!isSafeFileName(file)) {
        throw new SecretProviderFailedError(providerName, name, 'the name is not a plain file name.', { transient: false });
      }
      let value: string | undefined;
      try {
        value = await cache.read(join(dir, file));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new SecretProviderFailedError(providerName, name, `cannot read ${join(dir, file)} (${code}).`, { cause: error });
      }
      return value === undefined || value === '' ? undefined : { current: new Secret(value, { name }) };
    },
    async list(): Promise<readonly string[]> {
      try {
        const entries = await readdir(dir, { withFileTypes: true });
        return entries
          .filter((e) => (e.isFile() || e.isSymbolicLink()) && isSafeFileName(e.name))
          .map((e) => e.name)
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new SecretProviderFailedError(providerName, undefined, `cannot list ${dir}.`, { cause: error });
      }
    },
    async close(): Promise<void> {
      watcher?.close();
      watcher = undefined;
    },
    [Symbol.asyncDispose](): Promise<void> {
      return this.close();
    },
  };
}
