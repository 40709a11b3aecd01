import type { LineDestination } from '@bulwark/logging';

/**
 * Log lines gathered for one turn of the event loop and written together: one `write` (one system
 * call on a pipe or a file) for every line of a burst, instead of one per line. Nothing is lost at
 * exit: `flush()` writes what is pending, and runs on the process's `exit` too. A line waits at most
 * until the current turn's I/O is done, or until `maxBytes` are pending.
 */
export class BatchedLineDestination implements LineDestination {
  readonly #target: LineDestination;
  readonly #maxBytes: number;
  #pending = '';
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(target: LineDestination, options: { readonly maxBytes?: number } = {}) {
    this.#target = target;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
    process.once('exit', this.#flush);
  }

  write(chunk: string): boolean {
    this.#pending += chunk;
    if (this.#pending.length >= this.#maxBytes) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush).unref();
    }
    return true;
  }

  /** Writes every pending line now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#target.write(text);
  }

  /** Writes what is pending and stops flushing at exit. */
  close(): void {
    this.flush();
    process.removeListener('exit', this.#flush);
  }
}
