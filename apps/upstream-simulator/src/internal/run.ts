import { renameSync, writeFileSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { OutageWindow, Profile } from '../profile.js';
import type { SimulatorStats } from '../simulator-stats.js';
import { Counters } from './counters.js';
import { FixedWindow } from './fixed-window.js';
import type { KeyRing } from './key-ring.js';

type Rotation = SimulatorStats['rotations'][number];

/**
 * The state of one run: its origin on the clock, the counts, the rate-limit windows, the number of
 * the next admitted request, and the schedule of key rotations. `reset()` starts a new run on the same
 * port with the same profile, seed and current key.
 */
export class Run {
  readonly limiter: FixedWindow | undefined;
  counters = new Counters();
  #origin: number;
  #startedAt: number;
  #nextIndex = 0;
  #rotations: Rotation[] = [];
  #nextRotationMs: number | undefined;
  #rotationTimer: { clear(): void } | undefined;
  #keysFileError: string | null = null;
  readonly #pending = new Set<{ clear(): void }>();

  constructor(
    readonly profile: Profile,
    readonly seed: number,
    readonly clock: Clock,
    readonly keys: KeyRing,
    readonly keysFile: string | null,
  ) {
    const { rateLimit } = profile;
    this.limiter = rateLimit === null ? undefined : new FixedWindow(rateLimit.quota, rateLimit.windowMs);
    this.#origin = clock.monotonic();
    this.#startedAt = clock.now();
    this.#schedule(profile.keys.rotateEveryMs ?? undefined);
  }

  /** Milliseconds since the start of the run, after carrying out any rotation that fell due. */
  elapsed(): number {
    const at = this.clock.monotonic() - this.#origin;
    while (this.#nextRotationMs !== undefined && this.#nextRotationMs <= at) this.#rotate(this.#nextRotationMs);
    return at;
  }

  /** The number of the next request past the key and rate-limit checks: its index into the fault plan. */
  nextIndex(): number {
    return this.#nextIndex++;
  }

  outageAt(atMs: number): OutageWindow | undefined {
    return this.profile.outages.find((w) => atMs >= w.atMs && atMs < w.atMs + w.forMs);
  }

  /** Runs `callback` after `delayMs` on the run's clock (at once for 0), unless cleared or the run stops first. */
  later(delayMs: number, callback: () => void): { clear(): void } {
    if (delayMs <= 0) {
      callback();
      return { clear: () => {} };
    }
    const timer = this.clock.setTimeout(() => {
      this.#pending.delete(timer);
      callback();
    }, delayMs);
    this.#pending.add(timer);
    return {
      clear: () => {
        timer.clear();
        this.#pending.delete(timer);
      },
    };
  }

  /** Writes the current key to the keys file, if there is one; returns why it failed, if it did. */
  writeKeysFile(): string | null {
    if (this.keysFile === null) return null;
    const temporary = `${this.keysFile}.${process.pid}.tmp`;
    try {
      // Written beside and renamed over: a reader sees the old key or the new one, never half of one.
      writeFileSync(temporary, `${this.keys.current.value}\n`, { mode: 0o600 });
      renameSync(temporary, this.keysFile);
      this.#keysFileError = null;
    } catch (error) {
      this.#keysFileError = `cannot write ${this.keysFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    return this.#keysFileError;
  }

  stats(): SimulatorStats {
    const elapsedMs = this.elapsed();
    return {
      profile: this.profile.name,
      seed: this.seed,
      startedAt: new Date(this.#startedAt).toISOString(),
      elapsedMs: Math.round(elapsedMs),
      ...this.counters.snapshot(elapsedMs),
      outages: this.profile.outages.filter((w) => w.atMs <= elapsedMs).map((w) => ({ startMs: w.atMs, endMs: w.atMs + w.forMs })),
      rotations: this.#rotations.map((r) => ({ ...r })),
      keysFileError: this.#keysFileError,
    };
  }

  /** Starts a new run; answers already on their way still go out. */
  reset(): void {
    this.counters = new Counters();
    this.limiter?.clear();
    this.keys.restart();
    this.#origin = this.clock.monotonic();
    this.#startedAt = this.clock.now();
    this.#nextIndex = 0;
    this.#rotations = [];
    this.#schedule(this.profile.keys.rotateEveryMs ?? undefined);
  }

  /** Cancels every timer of the run: pending answers and the rotation schedule. */
  stop(): void {
    for (const timer of this.#pending) timer.clear();
    this.#pending.clear();
    this.#rotationTimer?.clear();
    this.#rotationTimer = undefined;
    this.#nextRotationMs = undefined;
  }

  #schedule(atMs: number | undefined): void {
    this.#rotationTimer?.clear();
    this.#nextRotationMs = atMs;
    if (atMs === undefined) return;
    const wait = Math.max(0, atMs - (this.clock.monotonic() - this.#origin));
    // Unref'd: a pending rotation alone must not keep a process (or a test run) alive.
    this.#rotationTimer = this.clock.setTimeout(() => this.elapsed(), wait, { unref: true });
  }

  #rotate(atMs: number): void {
    const { overlapMs, rotateEveryMs } = this.profile.keys;
    const replaced = this.keys.current;
    const issued = this.keys.rotate(atMs, overlapMs);
    this.#rotations.push({ atMs, keyId: issued.id, replacedKeyId: replaced.id, overlapEndsMs: atMs + overlapMs });
    this.writeKeysFile();
    this.#schedule(atMs + rotateEveryMs!);
  }
}
