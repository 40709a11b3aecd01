// Type tests: checked by `tsc -b` (part of `npm test`), never executed.
import { fallback, pipeline, timeout, type BulwarkError } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { expectTypeOf } from 'vitest';
import { createHttpClient, secretAuth, type HttpAuthSource, type HttpClient, type HttpError } from './index.js';

const client = createHttpClient({ baseUrl: 'https://api.example.com', policy: pipeline(timeout(1_000)) });
expectTypeOf(client).toEqualTypeOf<HttpClient>();

// The JSON helpers take the type you expect; fetch gives the Response.
expectTypeOf(client.get<{ id: number }>('users/1')).toEqualTypeOf<Promise<{ id: number }>>();
expectTypeOf(client.post('users', { json: { name: 'Ada' } })).toEqualTypeOf<Promise<unknown>>();
expectTypeOf(client.fetch('users/1')).toEqualTypeOf<Promise<Response>>();
expectTypeOf(client.jsonResult<number[]>('ids')).toEqualTypeOf<ResultAsync<number[], BulwarkError>>();

// A policy whose result is not the client's (a fallback) is refused: put it around the call instead.
// @ts-expect-error a fallback returns its own value, not a Response
createHttpClient({ policy: fallback(null) });
expectTypeOf(fallback(null).execute(({ signal }) => client.get<string>('name', { signal }))).toEqualTypeOf<Promise<string | null>>();

// The method shortcuts take no method.
// @ts-expect-error get is a GET
client.get('x', { method: 'POST' });

// auth: a function, or a source whose refresh is told what get gave.
createHttpClient({ auth: () => 'Bearer k' });
createHttpClient({ auth: async ({ attempt }) => ({ reveal: () => `Bearer k${attempt}` }) });
const source: HttpAuthSource<{ reveal(): string; version: string }> = {
  get: () => ({ reveal: () => 'Bearer k', version: 'v1' }),
  refresh: (refused) => (refused.version === 'v1' ? { reveal: () => 'Bearer k2', version: 'v2' } : undefined),
};
createHttpClient({ auth: source });

// secretAuth reads anything shaped like a secret manager.
interface Secretish {
  reveal(): string;
  readonly version: string | undefined;
}
declare const manager: { get(name: string): Promise<Secretish>; refreshOnAuthFailure(name: string, failed?: Secretish): Promise<Secretish | undefined> };
createHttpClient({ auth: secretAuth(manager, 'API_KEY') });

// HttpError carries the facts a caller acts on.
declare const error: HttpError;
expectTypeOf(error.status).toEqualTypeOf<number>();
expectTypeOf(error.retryAfterMs).toEqualTypeOf<number | undefined>();
expectTypeOf(error.code).toEqualTypeOf<'HTTP_ERROR'>();
