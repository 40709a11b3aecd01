import { createFakeClock, pipeline } from '@bulwark/core';
import { createLogger, logPolicyEvents, registerSecretValue, withLogContext, type Logger } from '@bulwark/logging';
import { retry, constantBackoff } from '@bulwark/retry';
import { memoryProvider, secretManager, type SecretProvider } from '@bulwark/secrets';
import { usageTracker } from '@bulwark/telemetry';
import { describe, expect, test } from 'vitest';
import { switchableProvider } from './support.js';

// Made-up credentials. The database password holds a quote and a backslash, so that its
// JSON-escaped form differs from the raw one and both can be looked for.
const API_KEY = 'sk_live_51Hq8ZxT2eVb9Kp4LmN7wQ3r'; // bulwark-allow-secret: test fixture
const ROTATED_API_KEY = 'sk_live_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk'; // bulwark-allow-secret: test fixture
const DB_PASSWORD = 'Pa55"w\\rd!9xQ'; // bulwark-allow-secret: test fixture
const DB_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app`; // bulwark-allow-secret: test fixture
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVlLTQy'; // bulwark-allow-secret: test fixture
const VALUES = { API_KEY, ROTATED_API_KEY, DB_PASSWORD, DB_URL, BEARER };

/** Every form in which a value could show up in a line: as is, and JSON-escaped once or twice. */
function forms(value: string): string[] {
  const once = JSON.stringify(value).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([value, once, twice])];
}

function expectNoSecretIn(output: string): void {
  for (const [name, value] of Object.entries(VALUES)) {
    for (const form of forms(value)) {
      const at = output.indexOf(form);
      if (at !== -1) throw new Error(`the logs hold ${name} (as ${JSON.stringify(form.slice(0, 6))}…) near: ${output.slice(Math.max(0, at - 300), at).replaceAll(form, "<" + name + ">")}`);
    }
  }
}

/** A provider that fails with an error quoting a credential (what a careless SDK might do). */
const leakyProvider: SecretProvider = {
  name: 'careless-sdk',
  async fetch(): Promise<undefined> {
    throw new Error(`GET https://vault.internal/v1/secret failed with token ${BEARER}`);
  },
};

async function logEverything(logger: Logger): Promise<void> {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const vaultSwitch = switchableProvider();
  const memory = memoryProvider({ secrets: { API_KEY, DB_URL, BEARER } });
  const vault = secretManager({ name: 'vault', providers: [vaultSwitch, memory], ttlMs: 60_000, refreshAheadMs: 0, clock });
  const broken = secretManager({ name: 'broken-vault', providers: [leakyProvider, memory], refreshAheadMs: 0, clock });
  using _events = logPolicyEvents(logger, vault, broken);

  const apiKey = await vault.get('API_KEY');
  const dbUrl = await vault.get('DB_URL');
  const bearer = await vault.get('BEARER');
  // What an application does once it has read its secrets: every revealed value is registered, so
  // that a copy of it anywhere (an SDK's error message included) is redacted.
  using _a = registerSecretValue(apiKey.reveal());
  using _b = registerSecretValue(dbUrl.reveal());
  using _c = registerSecretValue(bearer.reveal());
  using _e = registerSecretValue(DB_PASSWORD);

  // 1. The Secret objects themselves, anywhere in a line.
  logger.info('configuration loaded', { apiKey, upstream: { tokens: [bearer], database: dbUrl } });
  logger.info(`connecting with ${apiKey} to ${dbUrl}`, { versions: await vault.versions('API_KEY'), spread: { ...bearer } });
  logger.info('as a map and a set', { byName: new Map([['db', dbUrl]]), all: new Set([apiKey, bearer]) });
  logger.debug(() => `lazy: ${String(bearer)}`);

  // 2. Errors of failed reads: not found, denied, a provider failure, a schema problem.
  for (const failing of [
    () => vault.get('MISSING_SECRET'),
    () => vault.scope({ who: 'billing', names: ['API_KEY'] }).get('DB_URL'),
    () => broken.get('API_KEY'),
    () => vault.load({ apiKey: { name: 'API_KEY', pattern: /^pk_test_/ }, db: { name: 'DB_URL', minLength: 500 } }),
  ]) {
    const error = await failing().then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    logger.error('could not read a secret', { error });
    logger.warn(error as Error);
  }

  // 3. Audit and rotation events: a rotation, a failed refresh (through logPolicyEvents above).
  memory.set('API_KEY', ROTATED_API_KEY);
  await vault.refresh('API_KEY');
  vaultSwitch.down = true;
  await vault.refresh('API_KEY').catch((error: unknown) => logger.error('refresh failed', error as Error));
  vaultSwitch.down = false;
  const rotated = await vault.get('API_KEY');

  // 4. Revealed values, registered, in messages, nested fields, errors, children and context.
  const child = logger.child({ upstreamAuth: `Bearer ${bearer.reveal()}`, component: 'payments' });
  // Registered after the child was made: still redacted in the child's fields.
  using _d = registerSecretValue(rotated.reveal());
  await withLogContext({ session: bearer.reveal() }, async () => {
    await Promise.resolve();
    child.info(`calling https://api.example.com/v1/validate?key=${apiKey.reveal()}`);
    child.info('request', {
      request: { url: `https://api.example.com/?key=${rotated.reveal()}`, meta: [{ note: `db at ${dbUrl.reveal()}` }] },
      headers: { authorization: `Bearer ${bearer.reveal()}`, 'x-upstream': bearer.reveal() },
      message: `shadowing the message with ${apiKey.reveal()}`,
    });
    child.error(new Error(`connect failed: ${dbUrl.reveal()}`, { cause: Object.assign(new Error(`auth ${DB_PASSWORD} refused`), { code: DB_PASSWORD }) }));
    child.warn(() => `lazy ${rotated.reveal()}`);
    const upstream = Object.assign(new Error(`401 for ${bearer.reveal()}`), { status: 401, response: { body: `{"token":"${bearer.reveal()}"}` } });
    child.error('upstream refused', new AggregateError([upstream, new Error(apiKey.reveal())], 'every attempt failed'));
  });

  // And through a retry whose failures quote the key: its events are logged too.
  const policy = retry({ name: 'upstream', maxAttempts: 2, backoff: constantBackoff(10), clock });
  using _retryEvents = logPolicyEvents(logger, policy);
  const call = pipeline(policy).execute(async () => {
    throw Object.assign(new Error(`503 from https://api.example.com/?key=${rotated.reveal()}`), { status: 503 });
  });
  const settled = call.catch((error: unknown) => error);
  await clock.tickAsync(10);
  logger.error('gave up', { error: await settled });

  vault.close();
  broken.close();
}

describe.each(['json', 'pretty'] as const)('no secret reaches a %s log', (format) => {
  test('Secret objects, read errors, audit and rotation events, registered revealed values', async () => {
    const raw: string[] = [];
    const logger = createLogger({ service: 'gateway', level: 'silly', format, env: {}, floodControl: false, destination: { write: (line: string) => void raw.push(line) } });
    await logEverything(logger);
    await logger.close();
    const output = raw.join('\n');
    expect(raw.length).toBeGreaterThan(25);
    expectNoSecretIn(output);
    // What was logged is still useful: names, versions, codes and the censor.
    expect(output).toContain('[REDACTED]');
    for (const fact of ['SECRET_NOT_FOUND', 'SECRET_ACCESS_DENIED', 'SECRET_PROVIDER_FAILED', 'SECRET_SCHEMA_INVALID', 'MISSING_SECRET', 'rotated', 'refresh-failed', 'RETRIES_EXHAUSTED']) {
      expect(output).toContain(fact);
    }
    if (format === 'json') {
      const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.find((l) => l.message === 'configuration loaded')).toMatchObject({ apiKey: '[REDACTED]', upstream: { tokens: ['[REDACTED]'], database: '[REDACTED]' } });
      // The secret's name rides under `secret`, a key the logger redacts by default; its versions do not.
      expect(lines.find((l) => l.event === 'rotated')).toMatchObject({ secret: '[REDACTED]', version: 'v2', previousVersion: 'v1', policy: 'vault' });
      expect(lines.find((l) => typeof l.message === 'string' && l.message.startsWith('calling https://'))).toMatchObject({
        message: 'calling https://api.example.com/v1/validate?key=[REDACTED]',
        upstreamAuth: 'Bearer [REDACTED]',
        session: '[REDACTED]',
        component: 'payments',
      });
    }
  });
});

describe('without registration', () => {
  test("a provider's own error is kept only as the cause: the manager's error names no value", async () => {
    const broken = secretManager({ providers: [leakyProvider], refreshAheadMs: 0 });
    const error = (await broken.get('API_KEY').then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    )) as Error & { cause?: Error };
    expect(error).toMatchObject({ code: 'SECRET_PROVIDER_FAILED', message: expect.stringContaining('careless-sdk') });
    expect(error.message).not.toContain(BEARER);
    expect(JSON.stringify(error)).not.toContain(BEARER);
    expect(error.cause?.message).toContain(BEARER); // the documented limit: register revealed values
    broken.close();
  });
});

describe('registered values used as object keys', () => {
  // BUG (@bulwark/logging): a registered secret value is replaced in every string *value* at any
  // depth, but not in object keys (nor Map keys), so a structure keyed by a credential is written
  // with the credential as a JSON key. Per-key usage is the natural case: usageTracker from
  // @bulwark/telemetry tracks "per API key", and its snapshot is keyed by the key it was given.
  test('a snapshot of usage per API key, logged, holds no API key (logging redacts object keys)', async () => {
    const raw: string[] = [];
    const logger = createLogger({ service: 'gateway', env: {}, destination: { write: (line: string) => void raw.push(line) } });
    using _registered = registerSecretValue(API_KEY);
    const usage = usageTracker({ clock: createFakeClock() });
    usage.record('validate', API_KEY, 12, true);
    logger.info('usage', { usage: usage.snapshot(), perKey: new Map([[API_KEY, 1]]) });
    await logger.close();
    expect(raw.join('\n')).toContain('validate');
    expectNoSecretIn(raw.join('\n'));
  });
});

describe('the fixtures are what the assertions look for', () => {
  test('an unredacted line is caught, raw or JSON-escaped', () => {
    expect(() => expectNoSecretIn(JSON.stringify({ password: DB_PASSWORD }))).toThrow(/DB_PASSWORD/);
    expect(() => expectNoSecretIn(`key=${API_KEY}`)).toThrow(/API_KEY/);
    expect(forms(DB_PASSWORD)).toHaveLength(3);
  });
});
