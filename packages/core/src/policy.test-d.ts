// Type tests: checked by `tsc -b` (part of `npm test`), never executed.
import type { ResultAsync } from 'neverthrow';
import { expectTypeOf } from 'vitest';
import {
  bulkhead,
  fallback,
  pipeline,
  timeout,
  type BulwarkError,
  type ExecuteContext,
  type Policy,
} from './index.js';

// A policy's result is the function's value; a fallback adds its own type.
expectTypeOf(timeout(1).execute(async () => 1)).toEqualTypeOf<Promise<number>>();
expectTypeOf(fallback('spare' as const).execute(async () => 1)).toEqualTypeOf<Promise<number | 'spare'>>();
expectTypeOf(pipeline(bulkhead({ limit: 1 }), timeout(1)).execute(() => 'x')).toEqualTypeOf<Promise<string>>();
expectTypeOf(pipeline(fallback(null), timeout(1)).execute(async () => 1)).toEqualTypeOf<Promise<number | null>>();

// A user's plain `strict` (without exactOptionalPropertyTypes) gets the same: no `| undefined`
// (npm run check compiles this file under those settings too).
export async function plainStrict(): Promise<number> {
  const n: number = await pipeline(timeout(1)).execute(() => 1);
  const m: number | null = await pipeline(fallback(null), timeout(1)).execute(async () => n);
  return m ?? n;
}

// The Result twin always carries a BulwarkError.
expectTypeOf(timeout(1).executeResult(async () => 1)).toEqualTypeOf<ResultAsync<number, BulwarkError>>();

// Every primitive is a Policy, so pipeline accepts any of them.
expectTypeOf(timeout(1)).toMatchTypeOf<Policy>();
expectTypeOf(bulkhead({ limit: 1 })).toMatchTypeOf<Policy>();
expectTypeOf(fallback(0)).toMatchTypeOf<Policy<number>>();

// The function gets the context.
timeout(1).execute((context) => {
  expectTypeOf(context).toEqualTypeOf<ExecuteContext>();
  expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
  expectTypeOf(context.attempt).toEqualTypeOf<number>();
  return 1;
});

// @ts-expect-error: options are checked at compile time too.
timeout(1, { strategy: 'polite' });

// A policy that hands its function more than the ExecuteContext (a secret policy's `secret`): a
// pipeline's function gets what its innermost policy hands, since that policy is the one calling it.
interface TokenContext extends ExecuteContext {
  readonly token: string;
}
declare const withToken: Policy<never, TokenContext>;
pipeline(bulkhead({ limit: 1 }), timeout(1), withToken).execute((context) => {
  expectTypeOf(context).toEqualTypeOf<TokenContext>();
  expectTypeOf(context.token).toEqualTypeOf<string>();
});
expectTypeOf(pipeline(fallback(0), withToken).execute(({ token }) => token)).toEqualTypeOf<Promise<string | number>>();
// Anywhere else in the pipeline it calls the next policy, not the function: the function gets the plain context.
pipeline(withToken, timeout(1)).execute((context) => {
  expectTypeOf(context).toEqualTypeOf<ExecuteContext>();
});
// Nested pipelines keep it.
pipeline(timeout(1), pipeline(bulkhead({ limit: 1 }), withToken)).execute(({ token }) => expectTypeOf(token).toEqualTypeOf<string>());
expectTypeOf(withToken).toMatchTypeOf<Policy>();
