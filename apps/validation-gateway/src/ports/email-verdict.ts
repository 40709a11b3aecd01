/** Why an address was judged as it was. `unverified`: well formed, on a domain nothing is known about (offline only). */
export type VerdictReason = 'syntax' | 'no_mail_server' | 'disposable' | 'known_provider' | 'accepted' | 'unverified';

/** The verdict on one address, as the upstream API gives it. */
export interface EmailVerdict {
  readonly valid: boolean;
  readonly reason: VerdictReason;
  readonly disposable: boolean;
  /** The domain part, lower-cased; `null` without an `@`. */
  readonly domain: string | null;
}

/** Where an answer came from. */
export type AnswerSource = 'upstream' | 'cache' | 'stale' | 'offline';

/** What the gateway answers for one address. */
export interface ValidationAnswer extends EmailVerdict {
  readonly email: string;
  readonly source: AnswerSource;
  /** How old the verdict is, in milliseconds: 0 when fresh from the upstream. */
  readonly ageMs: number;
}
