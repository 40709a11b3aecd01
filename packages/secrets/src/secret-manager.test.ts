import { createFakeClock, deferred } from '@bulwark/test-utils';
import { afterEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import {
  isSecretAccessDeniedError,
  isSecretNotFoundError,
  isSecretProviderFailedError,
  isSecretLoadFailedError,
  memoryProvider,
  Secret,
  secret,
  secretManager,
  type SecretAuditEvent,
  type SecretManager,
  type SecretProvider,
  type SecretRefreshFailedEvent,
  type SecretRotatedEvent,
  type SecretVersions,
  SecretParseError,
  isSecretParseError,
  isSecretManagerClosedError,
} from './index.js';

/** A memory provider whose fetches can be made to fail, hang or be counted. */
function controllable(secrets: Record<string, string>) {
  const inner = memoryProvider({ secrets });
  let mode: 'ok' | 'fail' | 'hang' | 'empty' | 'gone' = 'ok';
  let fetches = 0;
  const provider: SecretProvider & { setMode(m: typeof mode): void; readonly fetches: number } = {
    name: 'controllable',
    async fetch(name: string, signal?: AbortSignal): Promise<SecretVersions | undefined> {
      fetches++;
      if (mode === 'fail') throw new Error('backend unavailable');
      if (mode === 'hang') return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      if (mode === 'gone') return undefined;
      if (mode === 'empty') return { current: new Secret('', { name }) };
      return inner.fetch(name);
    },
    setMode(m) {
      mode = m;
    },
    get fetches() {
      return fetches;
    },
  };
  return { provider, inner };
}

let manager: SecretManager | undefined;
afterEach(() => manager?.close());

function setup(secrets: Record<string, string>, extra: Partial<Parameters<typeof secretManager>[0]> = {}) {
  const clock = createFakeClock({ now: 1_700_000_000_000 });
  const { provider, inner } = controllable(secrets);
  manager = secretManager({ providers: provider, clock, ttlMs: 60_000, refreshAheadMs: 0, ...extra });
  const audits: SecretAuditEvent[] = [];
  const rotations: SecretRotatedEvent[] = [];
  const failures: SecretRefreshFailedEvent[] = [];
  manager.onAudit((e) => audits.push(e));
  manager.onRotated((e) => rotations.push(e));
  manager.onRefreshFailed((e) => failures.push(e));
  return { clock, provider, inner, vault: manager, audits, rotations, failures };
}

describe('secretManager: cache, TTL, refresh', () => {
  test('serves from the cache within the TTL and fetches again after it', async () => {
    const { clock, provider, inner, vault } = setup({ API_KEY: 'key-1' });
    expect((await vault.get('API_KEY')).reveal()).toBe('key-1');
    await vault.get('API_KEY');
    expect(provider.fetches).toBe(1);
    inner.set('API_KEY', 'key-2');
    await clock.tickAsync(59_999);
    expect((await vault.get('API_KEY')).reveal()).toBe('key-1');
    await clock.tickAsync(1);
    expect((await vault.get('API_KEY')).reveal()).toBe('key-2');
    expect(provider.fetches).toBe(2);
  });

  test('background refresh fetches before the TTL ends, so readers never wait', async () => {
    const { clock, provider, inner, vault, rotations } = setup({ API_KEY: 'key-1' }, { refreshAheadMs: 10_000 });
    await vault.get('API_KEY');
    inner.set('API_KEY', 'key-2');
    await clock.tickAsync(50_000);
    expect(provider.fetches).toBe(2);
    expect(rotations).toEqual([{ name: 'secretManager', secretName: 'API_KEY', version: 'v2', previousVersion: 'v1' }]);
    provider.setMode('hang'); // a read now must not touch the provider
    expect((await vault.get('API_KEY')).reveal()).toBe('key-2');
    expect(provider.fetches).toBe(2);
  });

  test('a short TTL has no background refresh by default: a secret read once is not fetched again until it is read', async () => {
    const clock = createFakeClock({ now: 1_700_000_000_000 });
    const { provider } = controllable({ API_KEY: 'key-1' });
    manager = secretManager({ providers: provider, clock, ttlMs: 1 });
    await manager.get('API_KEY');
    await clock.tickAsync(10_000);
    expect(provider.fetches).toBe(1);
    await manager.get('API_KEY'); // past the TTL: fetched once, on the read
    expect(provider.fetches).toBe(2);
  });

  test('background refreshes are at least 1 s apart: a refreshAheadMs that would refresh more often is refused', async () => {
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: 1_000, refreshAheadMs: 200 })).toThrow(
      new TypeError(
        'Expected `refreshAheadMs` to be 0 or at most ttlMs - 1000 (0): background refreshes come ttlMs - refreshAheadMs apart, for every secret read once, read again or not, and must be at least 1000 ms apart, got 200.',
      ),
    );
    const clock = createFakeClock({ now: 1_700_000_000_000 });
    const { provider } = controllable({ API_KEY: 'key-1' });
    manager = secretManager({ providers: provider, clock, ttlMs: 1_500, refreshAheadMs: 500 });
    await manager.get('API_KEY');
    await clock.tickAsync(10_000);
    expect(provider.fetches).toBe(11); // the read, then one refresh a second
  });

  test('a provider of your own that answers in the wrong shape fails with a SecretProviderFailedError that shows no value', async () => {
    const value = 'sk_live_plain_string_value';
    const answers: Array<[unknown, string]> = [
      [{ current: value }, 'answered with a `current` that is not a Secret (a string)'],
      [value, 'answered with a string'],
      [null, 'answered with null'],
      [{ current: secret(42) }, 'answered with a `current` that is a Secret of a number'],
      [{ current: secret('v2'), previous: value }, 'answered with a `previous` that is not a Secret of a string'],
    ];
    for (const [answer, what] of answers) {
      const vault = secretManager({ providers: { name: 'cloudVault', fetch: async () => answer as never } });
      const error = await vault.get('API_KEY').catch((e: unknown) => e);
      await vault.close();
      // Was a bare TypeError: "found.current.reveal is not a function".
      expect(isSecretProviderFailedError(error), String(error)).toBe(true);
      expect((error as Error).message).toBe(
        `cloudVault (secret "API_KEY"): ${what}; expected { current: Secret<string>, previous?: Secret<string> }, or undefined when it does not hold the secret.`,
      );
      expect((error as { transient: boolean }).transient).toBe(false);
      expect(JSON.stringify(error) + String(error)).not.toContain(value);
    }
  });

  test('a failed refresh keeps serving the last good value, counted and reported', async () => {
    const { clock, provider, vault, failures, audits } = setup({ API_KEY: 'key-1' }, { refreshRetryMs: 5_000 });
    await vault.get('API_KEY');
    provider.setMode('fail');
    await clock.tickAsync(60_000);
    const served = await vault.get('API_KEY');
    expect(served.reveal()).toBe('key-1');
    expect(vault.stats).toEqual({ fetches: 2, refreshFailures: 1, staleReads: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.name).toBe('secretManager');
    expect(failures[0]!.secretName).toBe('API_KEY');
    expect(failures[0]!.version).toBe('v1');
    expect(isSecretProviderFailedError(failures[0]!.error)).toBe(true);
    expect(failures[0]!.error.message).toBe('controllable (secret "API_KEY"): failed (Error).');
    expect(audits.map((a) => a.action)).toEqual(['read', 'refresh-failed', 'expired-use', 'read']);
    // Within refreshRetryMs, reads do not hammer the provider.
    await vault.get('API_KEY');
    expect(provider.fetches).toBe(2);
    provider.setMode('ok');
    await clock.tickAsync(5_000);
    await vault.get('API_KEY');
    expect(vault.stats.refreshFailures).toBe(1);
  });

  test.each(['gone', 'empty'] as const)('a refresh answering %s never replaces the value with nothing', async (mode) => {
    const { clock, provider, vault, failures } = setup({ API_KEY: 'key-1' });
    await vault.get('API_KEY');
    provider.setMode(mode);
    await clock.tickAsync(60_000);
    expect((await vault.get('API_KEY')).reveal()).toBe('key-1');
    expect(isSecretNotFoundError(failures[0]!.error)).toBe(true);
  });

  test('a provider that hangs fails after fetchTimeoutMs instead of hanging the caller', async () => {
    const { clock, provider, vault } = setup({ API_KEY: 'key-1' }, { fetchTimeoutMs: 2_000 });
    provider.setMode('hang');
    const read = vault.get('API_KEY').catch((e: unknown) => e);
    await clock.tickAsync(2_000);
    const error = await read;
    expect(isSecretProviderFailedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not answer within 2000 ms/);
  });

  test('an unknown secret is SecretNotFoundError naming the providers', async () => {
    const { vault } = setup({});
    const error = await vault.get('NOPE').catch((e: unknown) => e);
    expect(isSecretNotFoundError(error)).toBe(true);
    expect((error as Error).message).toBe('Secret "NOPE" was not found in controllable.');
    const result = await vault.getResult('NOPE');
    expect(result.isErr() && result.error.code).toBe('SECRET_NOT_FOUND');
  });

  test('concurrent first reads share one fetch', async () => {
    const { provider, vault } = setup({ API_KEY: 'key-1' });
    const all = await Promise.all(Array.from({ length: 20 }, () => vault.get('API_KEY')));
    expect(new Set(all.map((s) => s.reveal()))).toEqual(new Set(['key-1']));
    expect(provider.fetches).toBe(1);
  });

  test('a provider change event refetches at once', async () => {
    const clock = createFakeClock();
    const inner = memoryProvider({ secrets: { K: 'a' } });
    manager = secretManager({ providers: inner, clock, ttlMs: 60_000 });
    await manager.get('K');
    inner.set('K', 'b');
    await clock.flush();
    expect((await manager.get('K')).reveal()).toBe('b');
  });

  test('options are validated with clear messages', () => {
    expect(() => secretManager({ providers: [] })).toThrow(/Expected `providers` to be a SecretProvider or a non-empty array/);
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: -1 })).toThrow('Expected `ttlMs` to be a number of at least 1 or Infinity, got -1.');
    expect(() => secretManager({ providers: memoryProvider(), ttlMs: 100, refreshAheadMs: 100 })).toThrow(/refreshAheadMs/);
  });
});

describe('secretManager: rotation and auth failures', () => {
  test('refreshOnAuthFailure: one fetch however many callers failed at once', async () => {
    const { provider, inner, vault } = setup({ API_KEY: 'key-1' });
    const first = await vault.get('API_KEY');
    inner.set('API_KEY', 'key-2');
    const gate = deferred<void>();
    const slow: SecretProvider = provider;
    const original = slow.fetch.bind(slow);
    (slow as { fetch: SecretProvider['fetch'] }).fetch = async (name, signal) => {
      await gate.promise;
      return original(name, signal);
    };
    const callers = Array.from({ length: 50 }, () => vault.refreshOnAuthFailure('API_KEY', first));
    gate.resolve();
    const next = await Promise.all(callers);
    expect(next.every((s) => s?.reveal() === 'key-2')).toBe(true);
    expect(provider.fetches).toBe(2);
    // A straggler failing with the old version afterwards gets the new one without a fetch.
    expect((await vault.refreshOnAuthFailure('API_KEY', first))?.version).toBe('v2');
    expect(provider.fetches).toBe(2);
  });

  test('when the new version is refused (the other side has not switched yet), the previous one is offered', async () => {
    const { inner, vault, clock, audits } = setup({ API_KEY: 'key-1' }, { previousOverlapMs: 30_000 });
    await vault.get('API_KEY');
    inner.set('API_KEY', 'key-2');
    await clock.tickAsync(60_000);
    const current = await vault.get('API_KEY');
    expect(current.version).toBe('v2');
    const fallback = await vault.refreshOnAuthFailure('API_KEY', current);
    expect(fallback?.reveal()).toBe('key-1');
    // The view now prefers the version that works, until it too is refused.
    expect((await vault.get('API_KEY')).version).toBe('v1');
    expect((await vault.refreshOnAuthFailure('API_KEY', fallback))?.version).toBe('v2');
    // Offering the previous version after the overlap is an audited expired use.
    await clock.tickAsync(31_000);
    const later = await vault.get('API_KEY');
    await clock.tickAsync(1_000);
    await vault.refreshOnAuthFailure('API_KEY', later);
    expect(audits.some((a) => a.action === 'expired-use' && a.version === 'v1')).toBe(true);
  });

  test('with no other version to try, refreshOnAuthFailure resolves undefined and withSecret rethrows', async () => {
    const { vault } = setup({ API_KEY: 'only' });
    const refused = Object.assign(new Error('401'), { status: 401 });
    await expect(vault.withSecret('API_KEY', () => Promise.reject(refused))).rejects.toBe(refused);
    expect(await vault.refreshOnAuthFailure('API_KEY')).toBeUndefined();
  });

  test('a client keeps calling through a rotation with zero failed calls', async () => {
    const { clock, inner, vault, rotations } = setup({ API_KEY: 'key-1' }, { ttlMs: 10_000, refreshAheadMs: 2_000 });
    // The upstream API: accepts a set of keys that changes as the rotation proceeds.
    let accepted = new Set(['key-1']);
    let upstreamCalls = 0;
    const callUpstream = async (key: Secret<string>): Promise<string> => {
      upstreamCalls++;
      await clock.flush();
      if (!accepted.has(key.reveal())) throw Object.assign(new Error('Unauthorized'), { status: 401 });
      return 'ok';
    };
    let ok = 0;
    let failed = 0;
    const client = async (): Promise<void> => {
      try {
        await vault.withSecret('API_KEY', callUpstream);
        ok++;
      } catch {
        failed++;
      }
    };
    const burst = async (n: number): Promise<void> => {
      await Promise.all(Array.from({ length: n }, client));
      await clock.tickAsync(500);
    };

    for (let i = 0; i < 10; i++) await burst(5);
    // 1. The store rotates first, before the upstream accepts the new key.
    inner.set('API_KEY', 'key-2');
    for (let i = 0; i < 30; i++) await burst(5);
    // 2. The upstream accepts both during the overlap.
    accepted = new Set(['key-1', 'key-2']);
    for (let i = 0; i < 10; i++) await burst(5);
    // 3. The upstream revokes the old key.
    accepted = new Set(['key-2']);
    for (let i = 0; i < 10; i++) await burst(5);
    // 4. Next rotation in the other order: the upstream accepts the new key first, then the store
    //    rotates, then the upstream revokes the old key (before the cache's TTL has passed).
    accepted = new Set(['key-2', 'key-3']);
    for (let i = 0; i < 5; i++) await burst(5);
    inner.set('API_KEY', 'key-3');
    await burst(5);
    accepted = new Set(['key-3']);
    for (let i = 0; i < 24; i++) await burst(5);

    expect(failed).toBe(0);
    expect(ok).toBe(450);
    expect(upstreamCalls).toBeGreaterThan(450); // some calls were retried with the other version
    expect(rotations.map((r) => r.version)).toEqual(['v2', 'v3']);
  });
});

describe('secretManager: scoped views and audit', () => {
  test('a view reads only what it was granted; anything else is denied and audited', async () => {
    const { vault, audits, clock } = setup({ STRIPE_KEY: 's', 'stripe.webhook': 'w', DB_PASSWORD: 'd' });
    const billing = vault.scope({ who: 'billing', names: ['STRIPE_KEY', 'stripe.*'] });
    expect((await billing.get('STRIPE_KEY')).reveal()).toBe('s');
    expect((await billing.get('stripe.webhook')).reveal()).toBe('w');
    const error = await billing.get('DB_PASSWORD').catch((e: unknown) => e);
    expect(isSecretAccessDeniedError(error)).toBe(true);
    expect((error as Error).message).toBe('"billing" may not read secret "DB_PASSWORD": it is not among the names this view was granted.');
    // A narrower view inside it cannot widen its grants.
    const webhook = billing.scope({ who: 'webhook', names: ['stripe.webhook', 'DB_PASSWORD'] });
    await expect(webhook.get('DB_PASSWORD')).rejects.toThrow(/"webhook" may not read/);
    await expect(webhook.get('STRIPE_KEY')).rejects.toThrow(/"webhook" may not read/);
    expect(audits).toEqual([
      { name: 'secretManager', action: 'read', secretName: 'STRIPE_KEY', version: 'v1', who: 'billing', at: clock.now() },
      { name: 'secretManager', action: 'read', secretName: 'stripe.webhook', version: 'v1', who: 'billing', at: clock.now() },
      { name: 'secretManager', action: 'denied', secretName: 'DB_PASSWORD', version: undefined, who: 'billing', at: clock.now() },
      { name: 'secretManager', action: 'denied', secretName: 'DB_PASSWORD', version: undefined, who: 'webhook', at: clock.now() },
      { name: 'secretManager', action: 'denied', secretName: 'STRIPE_KEY', version: undefined, who: 'webhook', at: clock.now() },
    ]);
  });

  test('rotation, failed refresh and expired use are audit events too', async () => {
    const { vault, audits, inner, provider, clock } = setup({ K: 'a' });
    await vault.get('K');
    inner.set('K', 'b');
    await vault.refresh('K');
    provider.setMode('fail');
    await clock.tickAsync(60_000);
    await vault.get('K');
    expect(audits.map((a) => `${a.action}:${a.version}`)).toEqual(['read:v1', 'rotated:v2', 'refresh-failed:v2', 'expired-use:v2', 'read:v2']);
  });
});

describe('secretManager: schema', () => {
  test('loads typed values', async () => {
    const { vault } = setup({ STRIPE_KEY: 'sk_test_abc', DATABASE_URL: 'postgres://db.internal/app', PORT: '8080' });
    const config = await vault.load({
      stripeKey: { name: 'STRIPE_KEY', pattern: /^sk_(test|live)_/ },
      database: { name: 'DATABASE_URL', parse: (s: string) => new URL(s) },
      port: { name: 'PORT', parse: Number },
      sentry: { name: 'SENTRY_DSN', optional: true },
    });
    expectTypeOf(config.database).toEqualTypeOf<Secret<URL>>();
    expectTypeOf(config.port).toEqualTypeOf<Secret<number>>();
    expectTypeOf(config.stripeKey).toEqualTypeOf<Secret<string>>();
    expectTypeOf(config.sentry).toEqualTypeOf<Secret<string> | undefined>();
    expect(config.database.reveal().hostname).toBe('db.internal');
    expect(config.port.reveal()).toBe(8080);
    expect(config.sentry).toBeUndefined();
  });

  test("a parser's SecretParseError is shown with its field, the value never; other parser errors by class only", async () => {
    const { vault } = setup({ PORTS: '80,http', TOKEN_LIST: 'tok_1234567890', RAW: '{"a":' });
    const ports = (text: string) =>
      text.split(',').map((part, i) => {
        if (!/^\d+$/.test(part)) throw new SecretParseError(`entry ${i} is not a port number`);
        return Number(part);
      });
    const error = (await vault
      .load({
        ports: { name: 'PORTS', parse: ports },
        // A careless parser that quotes the value: the value is still not shown.
        tokens: { name: 'TOKEN_LIST', parse: (text: string) => { throw new SecretParseError(`bad list ${text}`); } },
        raw: { name: 'RAW', parse: (text: string) => JSON.parse(text) as unknown },
      })
      .catch((e: unknown) => e)) as Error;
    expect(isSecretParseError(new SecretParseError('x'))).toBe(true);
    expect(error.message).toBe(
      [
        '3 secrets are missing or invalid:',
        '  - "PORTS" (ports): malformed: entry 1 is not a port number',
        '  - "TOKEN_LIST" (tokens): malformed: bad list [REDACTED]',
        '  - "RAW" (raw): malformed: parse threw SyntaxError',
      ].join('\n'),
    );
    expect(JSON.stringify(error) + String(error.stack)).not.toMatch(/tok_1234567890|\{"a":/);
  });

  test('every problem in one error, names only, never values', async () => {
    const { vault } = setup({ STRIPE_KEY: 'pk_wrong_kind_of_key', DATABASE_URL: 'not a url at all', SHORT: 'abc', SECRET_X: 'x' });
    const view = vault.scope({ who: 'app', names: ['STRIPE_KEY', 'DATABASE_URL', 'SHORT', 'MISSING'] });
    const error = await view
      .load({
        stripeKey: { name: 'STRIPE_KEY', pattern: /^sk_/ },
        database: { name: 'DATABASE_URL', parse: (s: string) => new URL(s) },
        short: { name: 'SHORT', minLength: 16 },
        missing: { name: 'MISSING' },
        forbidden: { name: 'SECRET_X' },
      })
      .catch((e: unknown) => e);
    expect(isSecretLoadFailedError(error)).toBe(true);
    const e = error as Error & { problems: readonly { key: string; problem: string }[] };
    expect(e.problems.map((p) => `${p.key}:${p.problem}`)).toEqual([
      'STRIPE_KEY:malformed',
      'DATABASE_URL:malformed',
      'SHORT:malformed',
      'MISSING:missing',
      'SECRET_X:denied',
    ]);
    expect(e.message).toBe(
      [
        '5 secrets are missing or invalid:',
        '  - "STRIPE_KEY" (stripeKey): malformed: does not match /^sk_/',
        '  - "DATABASE_URL" (database): malformed: parse threw TypeError',
        '  - "SHORT" (short): malformed: shorter than 16 characters',
        '  - "MISSING" (missing): missing: not set in any provider',
        '  - "SECRET_X" (forbidden): denied: "app" may not read it',
      ].join('\n'),
    );
    const dump = JSON.stringify(error) + String((error as Error).stack);
    for (const value of ['pk_wrong_kind_of_key', 'not a url at all', 'abc"']) expect(dump).not.toContain(value);
  });
});

describe('after close()', () => {
  const refusal = (method: string) => ({
    code: 'SECRET_MANAGER_CLOSED',
    manager: 'vault',
    method,
    transient: false,
    message: `The secret manager "vault" is closed: ${method}() was called after close(). Make a new secretManager() to keep reading secrets.`,
  });

  test('every call on the manager and on its views is refused with SecretManagerClosedError, naming the method; the provider is not asked', async () => {
    const { vault, provider, audits } = setup({ API_KEY: 'key-1' }, { name: 'vault' });
    await vault.get('API_KEY');
    const billing = vault.scope({ who: 'billing', names: ['API_KEY'] });
    const policy = vault.policy('API_KEY');
    await vault.close();
    await vault.close();
    await vault[Symbol.asyncDispose]();
    const fetches = provider.fetches;
    const auditsBefore = audits.length;
    const use = (s: Secret<string>) => s.reveal();

    const rejected: Array<[string, () => Promise<unknown>]> = [
      ['get', () => vault.get('API_KEY')],
      ['versions', () => vault.versions('API_KEY')],
      ['load', () => vault.load({ key: { name: 'API_KEY' } })],
      ['refreshOnAuthFailure', () => vault.refreshOnAuthFailure('API_KEY')],
      ['withSecret', () => vault.withSecret('API_KEY', use)],
      ['refresh', () => vault.refresh('API_KEY')],
      ['policy().execute', () => policy.execute(() => 1)],
      ['get', () => billing.get('API_KEY')],
      ['withSecret', () => billing.withSecret('API_KEY', use)],
    ];
    for (const [method, call] of rejected) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(isSecretManagerClosedError(error), method).toBe(true);
      expect(error).toMatchObject(refusal(method));
    }
    const results: Array<[string, () => Promise<{ isErr(): boolean; error?: unknown }>]> = [
      ['getResult', async () => vault.getResult('API_KEY')],
      ['versionsResult', async () => vault.versionsResult('API_KEY')],
      ['loadResult', async () => vault.loadResult({ key: { name: 'API_KEY' } })],
      ['refreshOnAuthFailureResult', async () => vault.refreshOnAuthFailureResult('API_KEY')],
      ['withSecretResult', async () => vault.withSecretResult('API_KEY', use)],
      ['policy().executeResult', async () => policy.executeResult(() => 1)],
    ];
    for (const [method, call] of results) {
      const result = await call();
      expect(result.isErr(), method).toBe(true);
      expect(result.error).toMatchObject(refusal(method));
    }
    expect(() => vault.policy('API_KEY')).toThrow(expect.objectContaining(refusal('policy')));
    expect(() => vault.scope({ who: 'ops', names: ['API_KEY'] })).toThrow(expect.objectContaining(refusal('scope')));
    expect(() => billing.scope({ who: 'ops', names: ['API_KEY'] })).toThrow(expect.objectContaining(refusal('scope')));
    expect(provider.fetches).toBe(fetches);
    expect(audits.length).toBe(auditsBefore); // nothing was read
    expect(vault.stats.fetches).toBe(1); // the last counters stay readable
    vault.onRotated(() => {}).dispose(); // subscribing stays harmless
  });

  test('a call already running at close() settles as it would have: with the value, or failed after fetchTimeoutMs', async () => {
    const { vault, provider, clock } = setup({ API_KEY: 'key-1', OTHER: 'other-1' }, { name: 'vault', fetchTimeoutMs: 5_000 });
    const gate = deferred<void>();
    let seen = '';
    const running = vault.withSecret('API_KEY', async (s) => {
      await gate.promise;
      seen = s.reveal();
      return 'done';
    });
    await clock.tickAsync(0);
    provider.setMode('hang');
    const hanging = vault.get('OTHER').then(() => 'answered', (e: unknown) => e);
    await vault.close();
    gate.resolve();
    await expect(running).resolves.toBe('done');
    expect(seen).toBe('key-1');
    await clock.tickAsync(5_000);
    expect(isSecretProviderFailedError(await hanging)).toBe(true);
  });
});

describe('durations longer than the platform timer holds (2^31 − 1 ms), on the real clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a 40-day TTL refreshes ahead after 32 days, not after 1 ms; a 30-day retry waits 30 days', async () => {
    vi.useFakeTimers();
    const DAY = 86_400_000;
    const { provider } = controllable({ API_KEY: 'key-1' });
    manager = secretManager({ providers: provider, ttlMs: 40 * DAY, refreshRetryMs: 30 * DAY });
    await manager.get('API_KEY');
    await vi.advanceTimersByTimeAsync(DAY);
    expect(provider.fetches).toBe(1);
    provider.setMode('fail');
    await vi.advanceTimersByTimeAsync(31 * DAY); // day 32: the refresh ahead of the TTL, which fails
    expect(provider.fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(provider.fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(DAY); // 30 days after the failure
    expect(provider.fetches).toBe(3);
    await manager.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
