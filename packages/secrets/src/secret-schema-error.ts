import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/** One problem found while loading a secret schema: which secret and what is wrong, never its value. */
export interface SecretSchemaProblem {
  /** The schema field, such as `stripeKey`. */
  readonly field: string;
  /** The secret's name, such as `STRIPE_KEY`. */
  readonly key: string;
  /** `missing`, `malformed`, `denied` (the view may not read it) or `unavailable` (a provider failed). */
  readonly problem: 'missing' | 'malformed' | 'denied' | 'unavailable';
  /** Why, in words that never contain the value. */
  readonly detail: string;
}

/**
 * A schema load found problems: every one of them at once, so that a deployment is fixed in one
 * go. Lists names and reasons only; parser errors are summarised by their class name, because their
 * messages may quote the value.
 */
export class SecretSchemaError extends BulwarkError {
  readonly code = 'SECRET_SCHEMA_INVALID' as const;
  /** Every problem found, in schema order. */
  readonly problems: readonly SecretSchemaProblem[];

  constructor(problems: readonly SecretSchemaProblem[]) {
    const lines = problems.map((p) => `  - ${quote(p.key)} (${p.field}): ${p.problem}: ${p.detail}`);
    super(`${problems.length} secret${problems.length === 1 ? ' is' : 's are'} missing or invalid:\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

/** True for a {@link SecretSchemaError}. */
export const isSecretSchemaError = errorGuard<SecretSchemaError>('SECRET_SCHEMA_INVALID');
