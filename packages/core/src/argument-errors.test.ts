import { describe, expect, test } from 'vitest';
import {
  BulkheadFullError,
  BulwarkError,
  EventEmitter,
  StoreUnavailableError,
  TimeoutError,
  bulkhead,
  createFakeClock,
  describeValue,
  errorCode,
  errorGuard,
  eventsOf,
  expectFunction,
  expectNumber,
  expectOneOf,
  expectOptions,
  invalidOption,
  invalidStore,
  isCredentialName,
  isRedisCluster,
  knownOptions,
  mergeSignals,
  parseServerHints,
  quote,
  redactUrlUserInfo,
  redisCommandView,
  redisConnection,
  redisScript,
  seededRandom,
  subscribeEvent,
  toResult,
} from './index.js';

// Plain JavaScript has no compiler to catch a missing or mistyped argument: each export refuses one
// with a TypeError naming the parameter, the value and what was expected, not a "Cannot read
// properties of undefined" from deep inside, nor a silent wrong answer.
const fakeClient = { isReady: true, evalSha: async () => null, eval: async () => null };
// bulwark-allow-secret: a made-up password, to show it is never repeated
const URL_WITH_PASSWORD = 'redis://app:hunter22@cache:6379';

describe('a missing or mistyped argument is refused, naming it', () => {
  test.each([
    ['toResult()', () => toResult(undefined as never), 'Expected `promise` to be a promise (or a thenable), got undefined.'],
    ['toResult(fn)', () => toResult((async () => 1) as never), 'Expected `promise` to be a promise, not the function that makes one: `toResult(fn())`, got a function.'],
    ['eventsOf()', () => eventsOf(undefined as never), 'Expected `source` to be an object with events (a policy, a cache, a secret manager, …), got undefined.'],
    ['eventsOf(string)', () => eventsOf('bulkhead' as never), 'Expected `source` to be an object with events (a policy, a cache, a secret manager, …), got "bulkhead".'],
    ['subscribeEvent()', () => subscribeEvent(undefined as never, 'onRejected', () => {}), 'Expected `source` to be an object with events (a policy, a cache, a secret manager, …), got undefined.'],
    ['subscribeEvent, a mistyped event', () => subscribeEvent(bulkhead({ limit: 1 }), 'onRejcted' as never, () => {}), 'Expected `event` to be the name of an event of EVENT_CATALOG (`onRejected`?), got "onRejcted".'],
    ['subscribeEvent, no listener', () => subscribeEvent(bulkhead({ limit: 1 }), 'onRejected', undefined as never), 'Expected `listener` to be a function, got undefined.'],
    ['subscribeEvent, no listener, no such event', () => subscribeEvent({}, 'onRetry', 'log' as never), 'Expected `listener` to be a function, got "log".'],
    ['isCredentialName()', () => isCredentialName(undefined as never), 'Expected `name` to be a parameter or field name (a string), got undefined.'],
    ['isCredentialName(number)', () => isCredentialName(7 as never), 'Expected `name` to be a parameter or field name (a string), got 7.'],
    ['redactUrlUserInfo()', () => redactUrlUserInfo(undefined as never, '***'), 'Expected `text` to be a string, got undefined (its value is not shown).'],
    ['redactUrlUserInfo(array)', () => redactUrlUserInfo([URL_WITH_PASSWORD] as never, '***'), 'Expected `text` to be a string, got an array (its value is not shown).'],
    ['redactUrlUserInfo, no censor', () => redactUrlUserInfo(URL_WITH_PASSWORD, undefined as never), "Expected `censor` to be a string to put in the user information's place (`'[REDACTED]'`), got undefined."],
    ['redisScript()', () => redisScript(undefined as never), 'Expected `source` to be the Lua source of the script (a string), got undefined.'],
    ['seededRandom()', () => seededRandom(undefined as never), 'Expected `seed` to be an integer, got undefined.'],
    ['seededRandom(string)', () => seededRandom('42' as never), 'Expected `seed` to be an integer, got "42".'],
    ['redisConnection()', () => redisConnection(undefined as never, undefined as never, undefined as never), 'Expected `store` to be a non-empty string, got undefined.'],
    ['redisConnection, a URL as client', () => redisConnection('redisQuotaStore', URL_WITH_PASSWORD as never, { timeoutMs: 250 }), 'Expected `client` to be a connected node-redis client, not a URL: `createClient({ url })` from `redis`, then `connect()`, got a string (its value is not shown).'],
    ['redisConnection, no options', () => redisConnection('redisQuotaStore', fakeClient as never, undefined as never), 'Expected `options` to be an options object with `timeoutMs`, got undefined.'],
    ['redisConnection, a mistyped option', () => redisConnection('redisQuotaStore', fakeClient as never, { timeout: 250 } as never), 'Unknown option `timeout` of redisConnection(); did you mean `timeoutMs`?'],
    ['isRedisCluster()', () => isRedisCluster(undefined as never), 'Expected `client` to be a connected node-redis client (createClient() or createCluster() from `redis`), got undefined.'],
    ['redisCommandView(number)', () => redisCommandView(5 as never), 'Expected `client` to be a connected node-redis client (createClient() or createCluster() from `redis`), got 5.'],
    ['errorCode, codes as an array', () => errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }), ['ECONNRESET'] as never), 'Expected `codes` to be a Set of the codes to look for, or undefined for any code, got an array of length 1.'],
    ['errorGuard()', () => errorGuard(undefined as never), "Expected `code` to be the error's code (a non-empty string, such as 'TIMEOUT'), got undefined."],
    ['mergeSignals(controller)', () => mergeSignals(undefined, new AbortController() as never), 'Expected `signals[1]` to be an AbortSignal or undefined, got an object (AbortController).'],
    ['new EventEmitter().event(string)', () => new EventEmitter().event('log' as never), 'Expected `listener` to be a function, got "log".'],
    ['parseServerHints(a header value)', () => parseServerHints('Bearer abc' as never), 'Expected `input` to be a Response, Headers or a record of headers, got a string (its value is not shown).'],
    ['quote(number)', () => quote(5 as never), 'Expected `text` to be a string, got 5.'],
    ['fake clock setTimeout, no callback', () => createFakeClock().setTimeout(undefined as never, 10), 'Expected `callback` to be a function, got undefined.'],
    ['new TimeoutError()', () => new TimeoutError(undefined as never), 'Expected `timeoutMs` to be the limit crossed, in milliseconds (a number), got undefined.'],
    ['new BulkheadFullError()', () => new BulkheadFullError(undefined as never, 0), 'Expected `limit` to be a positive integer, got undefined.'],
    ['new StoreUnavailableError()', () => new StoreUnavailableError(undefined as never, 'read', 'down'), 'Expected `store` to be a non-empty string, got undefined.'],
    ['StoreUnavailableError.from, no operation', () => StoreUnavailableError.from('redisQuotaStore', undefined as never, new Error('x')), 'Expected `operation` to be a non-empty string, got undefined.'],
    ['a BulwarkError with options not an object', () => new (class extends BulwarkError { readonly code = 'X' })('x', 'transient' as never), 'Expected `options` to be an options object, got "transient".'],
    ['a BulwarkError transient not a boolean', () => new (class extends BulwarkError { readonly code = 'X' })('x', { transient: 'yes' as never }), 'Expected `transient` to be a boolean, got "yes".'],
    // The checks for package authors: their own arguments are checked where a check fails.
    ['expectFunction()', () => expectFunction(undefined as never, undefined), 'Expected `field` to be a string naming the value checked, got undefined.'],
    ['expectNumber, bounds not an object', () => expectNumber('ms', 5, null as never), 'Expected `bounds` to be an object of bounds ({ min, max, … }), got null.'],
    ['expectOneOf, allowed not an array', () => expectOneOf('mode', 'a', 'a|b' as never), 'Expected `allowed` to be an array of the values allowed, got "a|b".'],
    ['expectOptions, known not made by knownOptions', () => expectOptions('options', { a: 1 }, ['a'] as never), 'Expected `known` to be the options of a function, as `knownOptions()` makes them, got an array of length 1.'],
    ['knownOptions()', () => knownOptions(undefined as never, {}), "Expected `of` to be a non-empty string naming what the options are of (`'retry()'`), got undefined."],
    ['knownOptions, an alias list not an array', () => knownOptions('quota()', { limit: 'max' } as never), 'Expected `names.limit` to be an array of the names other libraries give that option ([] for none), got "max".'],
    ['invalidOption, no expected', () => invalidOption('limit', 0, undefined as never), 'Expected `expected` to be a string saying what was expected, got undefined.'],
    ['invalidStore, no factory', () => invalidStore('store', fakeClient, 'a rate-limit store', undefined as never), 'Expected `factory` to be the name of the store factory that wraps a Redis client, got undefined.'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(new TypeError(message));
  });

  test('a refused URL or header value never appears in the message', () => {
    for (const call of [
      () => redactUrlUserInfo({ toString: () => URL_WITH_PASSWORD } as never, '***'),
      () => redisConnection('redisQuotaStore', URL_WITH_PASSWORD as never, { timeoutMs: 250 }),
      () => isRedisCluster(URL_WITH_PASSWORD as never),
    ]) {
      expect(call).toThrow(TypeError);
      try {
        call();
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter22');
      }
    }
  });

  test('what was right before is still taken', async () => {
    expect(redisScript('').source).toBe('');
    expect(seededRandom(-1)()).toBe(seededRandom(2 ** 32 - 1)());
    expect(subscribeEvent({}, 'onRetry', () => {})).toBeUndefined();
    expect(eventsOf(bulkhead({ limit: 1 }))).toEqual(['onRejected']);
    expect(isCredentialName('api_key')).toBe(true);
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }), new Set(['ECONNRESET']))).toBe('ECONNRESET');
    expect(new TimeoutError(Number.NaN).timeoutMs).toBeNaN();
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    // A thenable that is no promise (its `then` returns nothing): the type takes one, so toResult does.
    // oxlint-disable-next-line unicorn/no-thenable -- the thenable is the subject of the test
    const thenable = { then: (resolve: (v: number) => void) => resolve(1) } as PromiseLike<number>;
    expect((await toResult(thenable))._unsafeUnwrap()).toBe(1);
    expect(mergeSignals(undefined, new AbortController().signal).signal.aborted).toBe(false);
    const clock = createFakeClock();
    clock.setTimeout(() => {}, 5);
    await expect(clock.runAllAsync(Infinity)).resolves.toBe(1);
  });
});
