import { expectFunction } from './validate.js';

/** A handle that stops a subscription; works with `using` as well as `dispose()`. */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Subscribes a listener to an event and returns the handle that unsubscribes it. */
export type Event<T> = (listener: (event: T) => void) => Disposable;

/**
 * A small, typed, synchronous event emitter: what every Bulwark primitive uses for `onRetry`,
 * `onTimeout` and the like.
 *
 * A listener that throws does not break the call that emitted the event: the error is rethrown on
 * a later microtask, so it surfaces as an uncaught exception instead of vanishing.
 *
 * @example
 * ```ts
 * const emitter = new EventEmitter<{ attempt: number }>();
 * const subscription = emitter.event(({ attempt }) => console.log(attempt));
 * emitter.emit({ attempt: 1 });
 * subscription.dispose();
 * ```
 */
export class EventEmitter<T> {
  #listeners: Array<(event: T) => void> = [];

  /** Subscribe to this emitter. Expose this, keep `emit` private to the producer. */
  readonly event: Event<T> = (listener) => {
    expectFunction('listener', listener);
    // Copy on write: an emit in progress keeps iterating the array it started with.
    this.#listeners = [...this.#listeners, listener];
    let active = true;
    const dispose = (): void => {
      if (!active) return;
      active = false;
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
    return { dispose, [Symbol.dispose]: dispose };
  };

  /** Whether anyone listens; check it before building an event object on a hot path. */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  /** Calls every listener with `event`, in subscription order. */
  emit(event: T): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
