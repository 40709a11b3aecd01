import type { Timer } from '@bulwark/core';
import { Secret } from '../secret.js';
import type { SecretVersions } from '../secret-provider.js';

/** What the manager holds of one secret: the versions in use, and when to fetch it again. */
export interface CachedSecret {
  current: Secret<string>;
  previous: Secret<string> | undefined;
  /** `refreshOnAuthFailure` found the current version refused and offered the previous one. */
  preferPrevious: boolean;
  fetchedAt: number;
  retryAt: number;
  /** Until when the previous version may be offered without being reported as an expired use. */
  previousUntil: number;
  /** The last version label of the manager's own, so that its labels never repeat. */
  counter: number;
  failures: number;
  /** The next background refresh. */
  timer: Timer | undefined;
}

/**
 * The versions of a secret after a fetch found `found`, given what was held before (`old`): every
 * version has a label, the provider's or one of the manager's own (`v1`, `v2`, …) never given
 * before; a value that changed under the same label is still a rotation, under a label of its own
 * (`<label>+<n>`). `changed` says whether the current version is new.
 */
export function nextVersions(
  name: string,
  found: SecretVersions,
  old: CachedSecret | undefined,
  now: number,
  previousOverlapMs: number,
): { cached: CachedSecret; changed: boolean } {
  const value = found.current.reveal();
  let version = found.current.version;
  let counter = old?.counter ?? 0;
  let previous = found.previous;
  if (version !== undefined && old !== undefined && old.current.version === version && !old.current.equals(value)) {
    // Another provider answered with the same version label for a different value (the chain's
    // answer moved from one provider to another): still a rotation, under a label of its own.
    counter++;
    version = `${version}+${counter}`;
  } else if (version === undefined) {
    if (old !== undefined && old.current.equals(value)) {
      version = old.current.version!;
      previous ??= old.previous;
    } else {
      // Labels of our own, distinct from any a provider gave before.
      do version = `v${++counter}`;
      while (version === old?.current.version || version === old?.previous?.version);
      previous ??= old?.current;
    }
  }
  const current = new Secret(value, { name, version });
  const changed = old !== undefined && old.current.version !== version;
  const cached: CachedSecret = {
    current,
    previous:
      previous === undefined
        ? undefined
        : new Secret(previous.reveal(), { name, version: previous.version ?? (changed ? old.current.version : 'previous') }),
    preferPrevious: changed ? false : (old?.preferPrevious ?? false),
    fetchedAt: now,
    retryAt: now,
    previousUntil: changed || old === undefined ? now + previousOverlapMs : old.previousUntil,
    counter,
    failures: 0,
    timer: undefined,
  };
  return { cached, changed };
}
