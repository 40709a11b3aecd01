import type { Writable } from 'node:stream';
import winston from 'winston';

const MESSAGE = Symbol.for('message');

// winston exports the transport base class as `Transport` at run time; its typings call it `transport`.
type TransportClass = new () => Writable & { log?(info: Record<symbol, unknown>, next: () => void): unknown };
const TransportStream = (winston as unknown as { Transport: TransportClass }).Transport;

/** Anything with a `write(string)`: a Node Writable, `process.stdout`, a test's collector. */
export interface LineDestination {
  write(chunk: string): unknown;
}

/**
 * The default winston transport: writes each formatted line and a newline to `destination`, at
 * once. Unlike winston's Stream transport it schedules nothing per line (no `setImmediate` to emit
 * `logged`, no `nextTick` after the write), so a burst does not keep every line's objects alive
 * until the event loop turns.
 */
export class LineTransport extends TransportStream {
  readonly #destination: LineDestination;

  constructor(destination: LineDestination) {
    super();
    this.#destination = destination;
  }

  override log(info: Record<symbol, unknown>, callback: () => void): void {
    this.#destination.write(`${info[MESSAGE] as string}\n`);
    // The write is done. Saying so as not synchronous keeps readable-stream (winston's streams)
    // from scheduling a nextTick per line, which would hold every line's context until the burst
    // ends; winston's own Logger does the same in its _transform.
    (this as unknown as { _writableState: { sync: boolean } })._writableState.sync = false;
    callback();
  }
}
