// Type tests: checked by `tsc -b` (part of `npm test`), never executed.
import { pipeline, timeout } from '@bulwark/core';
import { rateLimiter } from '@bulwark/ratelimit';
import { retry } from '@bulwark/retry';
import { envProvider, secretManager, type Secret } from '@bulwark/secrets';
import { expectTypeOf } from 'vitest';

const vault = secretManager({ providers: envProvider({ env: { STRIPE_KEY: 'sk_test_type_only' } }) }); // bulwark-allow-secret: a type test's value
const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 } });

// A secret policy innermost, as its README says to put it: the function gets the secret to use.
export const charge = pipeline(retry({ maxAttempts: 3 }), limiter, timeout(2_000), vault.policy('STRIPE_KEY')).execute(({ secret, signal, attempt }) => {
  expectTypeOf(secret).toEqualTypeOf<Secret<string>>();
  expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
  expectTypeOf(attempt).toEqualTypeOf<number>();
  return secret.reveal().length;
});
expectTypeOf(charge).toEqualTypeOf<Promise<number>>();
