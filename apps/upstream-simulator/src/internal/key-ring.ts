import { createHash, randomBytes } from 'node:crypto';

/** One API key the simulator has issued. */
export interface IssuedKey {
  /** `key-1`, `key-2`, …: how stats and logs name the key, never by its value. */
  readonly id: string;
  readonly value: string;
  /** When it was issued, in milliseconds from the start of the run. */
  readonly issuedAtMs: number;
  /** After a rotation, until when it is still accepted; `null` while it is the current key. */
  acceptedUntilMs: number | null;
}

// Keys are looked up by a digest of what was presented, so no comparison runs over the key's own bytes.
const digest = (value: string): string => createHash('sha256').update(value).digest('base64');

/** Makes a fresh key: 24 random bytes, URL-safe. */
export const newKey = (): string => `sim_${randomBytes(24).toString('base64url')}`;

/** The keys of a run: the current one, the one it replaced, and every older one (refused, but named). */
export class KeyRing {
  readonly #byDigest = new Map<string, IssuedKey>();
  #current: IssuedKey;
  #previous: IssuedKey | undefined;

  constructor(first: string) {
    this.#current = this.#issue(first, 0);
  }

  get current(): IssuedKey {
    return this.#current;
  }

  get previous(): IssuedKey | undefined {
    return this.#previous;
  }

  /** Issues a new key at `atMs`; the current one stays accepted for `overlapMs` more. */
  rotate(atMs: number, overlapMs: number): IssuedKey {
    this.#current.acceptedUntilMs = atMs + overlapMs;
    this.#previous = this.#current;
    this.#current = this.#issue(newKey(), atMs);
    return this.#current;
  }

  /** For a new run: the current key is kept (as issued at its start); the replaced one is no longer accepted. */
  restart(): void {
    if (this.#previous !== undefined) this.#previous.acceptedUntilMs = 0;
    this.#previous = undefined;
    this.#current = { ...this.#current, issuedAtMs: 0 };
    this.#byDigest.set(digest(this.#current.value), this.#current);
  }

  /** The key presented, if the simulator ever issued it, and whether it is accepted at `atMs`. */
  identify(presented: string, atMs: number): { readonly id: string; readonly accepted: boolean } | undefined {
    const key = this.#byDigest.get(digest(presented));
    if (key === undefined) return undefined;
    const accepted = key === this.#current || (key === this.#previous && atMs < (key.acceptedUntilMs ?? 0));
    return { id: key.id, accepted };
  }

  #issue(value: string, atMs: number): IssuedKey {
    const key: IssuedKey = { id: `key-${this.#byDigest.size + 1}`, value, issuedAtMs: atMs, acceptedUntilMs: null };
    this.#byDigest.set(digest(value), key);
    return key;
  }
}
