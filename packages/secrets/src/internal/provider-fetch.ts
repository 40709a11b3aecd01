import { DeadlineTimer, isBulwarkError, type Clock } from '@bulwark/core';
import { SecretNotFoundError } from '../secret-not-found-error.js';
import { SecretProviderFailedError, isSecretProviderFailedError } from '../secret-provider-failed-error.js';
import type { SecretProvider, SecretVersions } from '../secret-provider.js';
import { isSecret } from '../secret.js';

const isStringSecret = (value: unknown): boolean => isSecret(value) && typeof value.reveal() === 'string';

/** What is wrong with a provider's answer, in words that never show a value; `undefined` when nothing is. */
function wrongAnswer(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return answer === null ? 'null' : `a ${typeof answer}`;
  const { current, previous } = answer as Partial<SecretVersions>;
  if (!isStringSecret(current)) return `a \`current\` that is ${isSecret(current) ? `a Secret of a ${typeof current.reveal()}` : `not a Secret (${current === null ? 'null' : `a ${typeof current}`})`}`;
  if (previous !== undefined && !isStringSecret(previous)) return 'a `previous` that is not a Secret of a string';
  return undefined;
}

/** A fetch under way: its answer, and `hold()` for a caller that waits on it. */
interface Fetching {
  readonly done: Promise<SecretVersions>;
  /** From now on the fetch's timeouts hold the process open, so a caller awaiting it gets its answer. */
  hold(): void;
}

/**
 * Asks the providers for a secret, highest precedence first; the first that holds it (with a value
 * that is not empty) answers. Each provider has `timeoutMs` to answer, after which it is aborted
 * and counts as failed. Every failure is a `SecretProviderFailedError` whose message names no value.
 */
export class ProviderFetch {
  readonly #providers: readonly SecretProvider[];
  readonly #names: readonly string[];
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(providers: readonly SecretProvider[], clock: Clock, timeoutMs: number) {
    this.#providers = providers;
    this.#names = providers.map((p) => p.name);
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The secret's versions; rejects with `SecretNotFoundError` when no provider holds it,
   * `SecretProviderFailedError` when one failed. `awaited`: a caller waits on it (else it is a
   * background refresh, until someone calls `hold()`).
   */
  fetch(name: string, awaited: boolean): Fetching {
    // The provider's timeout holds the process only while a caller awaits the fetch (DeadlineTimer).
    const timeout = new DeadlineTimer(this.#clock, awaited);
    return { done: this.#fetch(name, timeout), hold: () => timeout.hold() };
  }

  async #fetch(name: string, timeout: DeadlineTimer): Promise<SecretVersions> {
    for (const provider of this.#providers) {
      const found = await this.#ask(provider, name, timeout);
      if (found !== undefined && found.current.reveal() !== '') return found;
    }
    throw new SecretNotFoundError(name, this.#names);
  }

  async #ask(provider: SecretProvider, name: string, timeout: DeadlineTimer): Promise<SecretVersions | undefined> {
    const controller = new AbortController();
    const timedOut = new Promise<never>((_, reject) => {
      timeout.start(this.#timeoutMs, () => {
        const error = new SecretProviderFailedError(provider.name, name, `did not answer within ${this.#timeoutMs} ms.`);
        controller.abort(error);
        reject(error);
      });
    });
    try {
      const answer = await Promise.race([provider.fetch(name, controller.signal), timedOut]);
      const wrong = answer === undefined ? undefined : wrongAnswer(answer);
      if (wrong !== undefined) {
        throw new SecretProviderFailedError(
          provider.name,
          name,
          `answered with ${wrong}; expected { current: Secret<string>, previous?: Secret<string> }, or undefined when it does not hold the secret.`,
          { transient: false },
        );
      }
      return answer;
    } catch (error) {
      if (isSecretProviderFailedError(error)) throw error;
      if (isBulwarkError(error)) {
        // Ours (a store's wrong key or corruption): its message names no value.
        throw new SecretProviderFailedError(provider.name, name, `failed: ${error.message}`, { cause: error, transient: error.transient });
      }
      // A foreign error's message might quote anything: keep it as the cause, name only its class.
      const kind = error instanceof Error ? error.name : typeof error;
      throw new SecretProviderFailedError(provider.name, name, `failed (${kind}).`, { cause: error });
    } finally {
      timeout.stop();
    }
  }
}
