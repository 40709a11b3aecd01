import type { AbortSource, ExecuteContext } from './policy.js';
import { invalidOption } from './validate.js';

const isContext = (source: AbortSource): source is ExecuteContext =>
  typeof (source as { attempt?: unknown }).attempt === 'number';

/**
 * Asserts `value` is an {@link AbortSource} — an `AbortSignal`, or an execute context (a numeric
 * `attempt` and an `AbortSignal` as `signal`) — or `undefined`. Anything else throws a `TypeError`
 * naming `field`, the value and what was expected.
 *
 * The one check behind every `signal` Bulwark takes: {@link CallContext} runs it on the source it is
 * given, so a policy refuses a bad signal before its call runs, waits or arms a timer (which would
 * later throw, where nobody can catch it, from a listener that was never added).
 */
export function expectAbortSource(field: string, value: unknown): asserts value is AbortSource | undefined {
  if (value === undefined || value instanceof AbortSignal || value instanceof CallContext) return;
  const context = value as { attempt?: unknown; signal?: unknown } | null;
  if (typeof context === 'object' && context !== null && typeof context.attempt === 'number' && context.signal instanceof AbortSignal) return;
  throw invalidOption(field, value, 'an AbortSignal or an execute context');
}

/** The standard reason for an abort that did not say why. */
export function abortReason(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The {@link ExecuteContext} a policy passes to its function, for authors of policies.
 *
 * It links to its parent (the caller's `AbortSignal` or an enclosing context) only when someone
 * needs to hear about an abort — when the function reads `signal`, or the policy calls
 * {@link CallContext.listen} — so a call that nobody cancels costs no `AbortController` and no
 * listener. Call {@link CallContext.release} when the call settles, so a long-lived parent signal
 * does not collect listeners.
 *
 * Subclass it and override {@link CallContext.onAbort} to react to cancellation. The constructor
 * checks its parent with {@link expectAbortSource}: a policy whose `execute` must reject rather than
 * throw constructs it inside its `async` body (or catches).
 */
export class CallContext implements ExecuteContext {
  readonly attempt: number;
  readonly #parent: AbortSource | undefined;
  #linked = false;
  #aborted = false;
  #reason: unknown = undefined;
  #controller: AbortController | undefined = undefined;
  #children: CallContext[] | undefined = undefined;

  constructor(parent?: AbortSource, attempt?: number) {
    expectAbortSource('signal', parent);
    this.#parent = parent;
    this.attempt = attempt ?? (parent !== undefined && isContext(parent) ? parent.attempt : 1);
  }

  /** Whether this call was aborted, by itself or through its parent. Creates no signal. */
  get aborted(): boolean {
    if (this.#aborted) return true;
    const parent = this.#parent;
    if (parent === undefined) return false;
    if (parent instanceof CallContext) {
      if (parent.aborted) this.abort(parent.#reason);
    } else {
      const signal = isContext(parent) ? parent.signal : parent;
      if (signal.aborted) this.abort(signal.reason);
    }
    return this.#aborted;
  }

  /** Why the call was aborted, once {@link CallContext.aborted} is true. */
  get reason(): unknown {
    return this.aborted ? this.#reason : undefined;
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.aborted) controller.abort(this.#reason);
      else this.listen();
    }
    return controller.signal;
  }

  /** Starts listening to the parent's abort (idempotent); {@link CallContext.onAbort} runs when it does. */
  listen(): void {
    if (this.#linked || this.aborted || this.#parent === undefined) return;
    this.#linked = true;
    const parent = this.#parent;
    if (parent instanceof CallContext) {
      (parent.#children ??= []).push(this);
      parent.listen();
    } else {
      (isContext(parent) ? parent.signal : parent).addEventListener('abort', this, { once: true });
    }
  }

  /** Stops listening to the parent; call it once the call has settled. */
  release(): void {
    if (!this.#linked) return;
    this.#linked = false;
    const parent = this.#parent!;
    if (parent instanceof CallContext) {
      const siblings = parent.#children;
      if (siblings !== undefined) {
        const i = siblings.indexOf(this);
        if (i !== -1) siblings.splice(i, 1);
      }
    } else {
      (isContext(parent) ? parent.signal : parent).removeEventListener('abort', this);
    }
  }

  /** @internal The `EventListenerObject` hook used for a parent `AbortSignal`. */
  handleEvent(): void {
    const parent = this.#parent!;
    this.#linked = false;
    this.abort((isContext(parent) ? parent.signal : (parent as AbortSignal)).reason);
  }

  /** Aborts this call and every context below it; the first reason wins. */
  abort(reason: unknown = abortReason()): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.release();
    this.#controller?.abort(reason);
    const children = this.#children;
    this.#children = undefined;
    if (children !== undefined) for (const child of children) child.abort(reason);
    this.onAbort(reason);
  }

  /** Runs once when the call is aborted; override in a policy's own context. */
  protected onAbort(_reason: unknown): void {}
}
