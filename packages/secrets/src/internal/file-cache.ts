import { readFile, stat } from 'node:fs/promises';

interface Entry<T> {
  readonly stamp: string;
  readonly value: T;
}

/**
 * Reads files through a `stat` check: a file is read and parsed again only when its inode, size,
 * modification or change time moved (atomic replacements such as Kubernetes' `..data` symlink swap
 * change the inode). Bounded: the oldest entries go first beyond `maxEntries`.
 */
export class FileCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #parse: (text: string) => T;
  readonly #maxEntries: number;

  constructor(parse: (text: string) => T, maxEntries = 1024) {
    this.#parse = parse;
    this.#maxEntries = maxEntries;
  }

  /** The parsed file, or `undefined` when it does not exist. Other I/O errors are thrown. */
  async read(path: string): Promise<T | undefined> {
    let stamp: string;
    try {
      const s = await stat(path, { bigint: true });
      if (!s.isFile()) return undefined;
      stamp = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#entries.delete(path);
        return undefined;
      }
      throw error;
    }
    const cached = this.#entries.get(path);
    if (cached !== undefined && cached.stamp === stamp) return cached.value;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const value = this.#parse(text);
    this.#entries.delete(path);
    this.#entries.set(path, { stamp, value });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  /** Forgets one file (or all), so the next read goes to disk. */
  invalidate(path?: string): void {
    if (path === undefined) this.#entries.clear();
    else this.#entries.delete(path);
  }
}
