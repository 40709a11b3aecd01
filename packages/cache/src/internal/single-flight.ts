import type { LoaderCall } from './loader-call.js';

const NEVER: Promise<unknown> = new Promise(() => {});

/** One load (or Redis read) of a key, shared by every caller that asks while it runs. */
export class Flight {
  readonly key: string;
  /** The invalidation epoch when it started: an invalidation seen since may forbid storing its result. */
  readonly startEpoch: number;
  /** A refresh behind a value already served (stale-while-revalidate, early refresh). */
  readonly background: boolean;
  promise: Promise<unknown> = NEVER;
  /** The callers already have their answer (a stale value); the rest runs in the background. */
  answered = false;
  /** A caller awaits the load (not only a refresh behind a served value): its deadline holds the process. */
  held: boolean;
  /** The loader's run, once it has started. */
  call: LoaderCall | undefined = undefined;
  constructor(key: string, startEpoch: number, background: boolean) {
    this.key = key;
    this.startEpoch = startEpoch;
    this.background = background;
    this.held = !background;
  }

  /** A caller joins the flight and awaits it (unless it already has its answer). */
  hold(): void {
    if (this.held || this.answered) return;
    this.held = true;
    this.call?.hold();
  }
}

/** Single-flight: at most one {@link Flight} per key at a time in this process. */
export class Flights {
  readonly #flights = new Map<string, Flight>();

  get(key: string): Flight | undefined {
    return this.#flights.get(key);
  }

  has(key: string): boolean {
    return this.#flights.has(key);
  }

  /** Starts a flight for `key`: its promise is `fly(flight)` itself, no promise in between on the read path. */
  start(key: string, startEpoch: number, background: boolean, fly: (flight: Flight) => Promise<unknown>): Flight {
    const flight = new Flight(key, startEpoch, background);
    this.#flights.set(key, flight);
    flight.promise = fly(flight);
    return flight;
  }

  /** Leaves the map before settling, so a caller woken by the result starts afresh. */
  land(flight: Flight): void {
    if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
  }
}
