/** What {@link SharedCircuit.vote} learnt. */
export interface SharedVote {
  /** Distinct instances whose breaker opened within the vote window, this one included. */
  readonly votes: number;
  /** Remaining milliseconds of the shared break: more than 0 once a quorum has opened it for all. */
  readonly openForMs: number;
}

/** What {@link SharedCircuit.acquire} answered. */
export type SharedAcquire =
  /**
   * This instance holds the probe lease and may send probe calls; `shared` when the break being
   * probed was a shared one (a failed probe then reopens the circuit for all).
   */
  | { readonly kind: 'probe'; readonly shared: boolean }
  /** The shared circuit is open (a quorum opened it, or a probe failed): stay open this long. */
  | { readonly kind: 'open'; readonly remainingMs: number }
  /** Another instance holds the lease and is probing now, for at most this long. */
  | { readonly kind: 'busy'; readonly remainingMs: number };

/**
 * One circuit's view of a store, as bound by {@link CircuitStore.bind}. Every method must settle
 * within the store's own deadline, rejecting on failure (with a `StoreUnavailableError`, ideally);
 * the breaker then decides on local state alone and reports the failure through `onStoreError`.
 */
export interface SharedCircuit {
  /** How often, in milliseconds, a closed breaker asks {@link SharedCircuit.read} whether the shared circuit is open. */
  readonly syncIntervalMs: number;
  /** Reports that this instance's breaker opened for `breakMs`; opens the shared circuit for that long when this vote makes a quorum. */
  vote(breakMs: number): Promise<SharedVote>;
  /** Remaining milliseconds of the shared break, or 0 when the shared circuit is not open. */
  read(): Promise<number>;
  /** Tries to take the half-open probe lease. */
  acquire(): Promise<SharedAcquire>;
  /**
   * Gives the lease back after a half-open episode: `closed` (the probes succeeded: votes are
   * cleared), `reopen` (a probe failed on a shared break: the shared circuit opens again for
   * `breakMs`) or `abandon` (no verdict).
   */
  release(outcome: 'closed' | 'reopen' | 'abandon', breakMs: number): Promise<void>;
}

/**
 * Where circuit breakers in several processes share their state, such as {@link redisCircuitStore}.
 * Pass it as `store` to {@link circuitBreaker}, or in the breaker options of {@link circuitBreakerRegistry}.
 */
export interface CircuitStore {
  /** The view of one circuit, by its name (a registry passes the dependency key). */
  bind(name: string): SharedCircuit;
}
