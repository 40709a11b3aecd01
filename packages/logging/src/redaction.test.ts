import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
import { createLogger, DEFAULT_REDACT_KEYS, registerSecretValue, type LoggerOptions } from './index.js';

function setup(options: Partial<LoggerOptions> = {}) {
  const out = captureLog();
  const logger = createLogger({ service: 'gateway', destination: out.destination, floodControl: false, ...options });
  return { out, logger };
}

/** A stand-in for @bulwark/secrets' Secret: branded, and serializes to [REDACTED]. */
class BrandedSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  get [Symbol.for('@bulwark/secret')](): boolean {
    return true;
  }
  reveal(): string {
    return this.#value;
  }
}
/** A secret wrapper that only overrides toJSON (no brand), with the value in an own field. */
const jsonOnlySecret = (value: string) => ({ value, toJSON: () => '[REDACTED]' });

const disposables: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const d of disposables.splice(0)) d.dispose();
});

describe('redaction by field name', () => {
  test('every default name, at any depth, in any case, with - or _', async () => {
    const { out, logger } = setup();
    const fields: Record<string, unknown> = {};
    DEFAULT_REDACT_KEYS.forEach((key, i) => {
      fields[key] = `v${i}`;
    });
    logger.info('top', fields);
    logger.info('deep', { req: { headers: { Authorization: 'Bearer abc', 'X-API-KEY': 'k1', Cookie: 'c=1', accept: 'json' } } });
    logger.info('variants', { API_KEY: 'a', ApiKey: 'b', 'api-key': 'c', accessToken: 'd', Client_Secret: 'e', PASSWORD: 'f' });
    logger.info('arrays', { users: [{ name: 'ada', password: 'p1' }, { name: 'bob', password: 'p2' }] });
    const [top, deep, variants, arrays] = await out.lines();
    for (const key of DEFAULT_REDACT_KEYS) expect(top![key], key).toBe('[REDACTED]');
    expect(deep!.req).toEqual({ headers: { Authorization: '[REDACTED]', 'X-API-KEY': '[REDACTED]', Cookie: '[REDACTED]', accept: 'json' } });
    expect(Object.values(variants!).filter((v) => v === '[REDACTED]')).toHaveLength(6);
    expect(arrays!.users).toEqual([
      { name: 'ada', password: '[REDACTED]' },
      { name: 'bob', password: '[REDACTED]' },
    ]);
  });

  test('the caller’s objects are never changed', async () => {
    const { out, logger } = setup();
    const headers = Object.freeze({ authorization: 'Bearer abc', accept: 'json' });
    const fields = Object.freeze({ req: Object.freeze({ headers }), n: 1 });
    logger.info('frozen input', fields);
    expect(headers.authorization).toBe('Bearer abc');
    expect((await out.lines())[0]!.req).toEqual({ headers: { authorization: '[REDACTED]', accept: 'json' } });
  });

  test('no deep clone: objects with nothing to redact reach the transports as they are', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const { default: winston } = await import('winston');
    const Transport = (winston as unknown as { Transport: new () => object }).Transport;
    class Collect extends Transport {
      log(info: Record<string, unknown>, next: () => void): void {
        seen.push(info);
        next();
      }
    }
    const logger = createLogger({ service: 's', transports: [new Collect() as unknown as import('winston').transport] });
    const clean = { a: { b: [1, 2, { c: 'text' }] } };
    const dirty = { keep: { x: 1 }, headers: { authorization: 'Bearer abc', accept: 'json' } };
    logger.info('identity', { clean, dirty });
    await logger.close();
    const info = seen[0]!;
    expect(info.clean).toBe(clean);
    const written = info.dirty as typeof dirty;
    expect(written).not.toBe(dirty);
    expect(written.keep).toBe(dirty.keep);
    expect(written.headers).toEqual({ authorization: '[REDACTED]', accept: 'json' });
    expect(dirty.headers.authorization).toBe('Bearer abc');
  });

  test('paths from the line’s root, with * for any one field; names added by `redact`', async () => {
    const { out, logger } = setup({ redact: ['req.body.ssn', 'accounts.*.iban', 'pin'] });
    logger.info('paths', {
      req: { body: { ssn: '123-45-6789', name: 'ada' } },
      other: { body: { ssn: 'kept: not on the path' } },
      accounts: { main: { iban: 'DE89', bank: 'x' }, spare: { iban: 'FR76' } },
      nested: { pin: '1234' },
    });
    const [line] = await out.lines();
    expect(line).toMatchObject({
      req: { body: { ssn: '[REDACTED]', name: 'ada' } },
      other: { body: { ssn: 'kept: not on the path' } },
      accounts: { main: { iban: '[REDACTED]', bank: 'x' }, spare: { iban: '[REDACTED]' } },
      nested: { pin: '[REDACTED]' },
    });
  });

  test('redactDefaults: false and a custom censor', async () => {
    const { out, logger } = setup({ redactDefaults: false, redact: ['ssn'], censor: '***' });
    logger.info('custom', { password: 'visible by choice', ssn: '123' });
    expect((await out.lines())[0]).toMatchObject({ password: 'visible by choice', ssn: '***' });
  });

  test('redaction applies to defaults, context and child fields too', async () => {
    const { out, logger } = setup({ fields: { token: 't0' } });
    const { withLogContext } = await import('./index.js');
    withLogContext({ cookie: 'c' }, () => logger.child({ secret: 's' }).info('layers'));
    expect((await out.lines())[0]).toMatchObject({ token: '[REDACTED]', cookie: '[REDACTED]', secret: '[REDACTED]' });
  });
});

describe('credentials in URLs', () => {
  test('the user information of a URL is replaced wherever the URL is written; the host and path stay', async () => {
    const { out, logger } = setup();
    const db = 'postgres://app:s3cret-pw@db.internal:5432/orders'; // bulwark-allow-secret: a made-up password, the test's subject
    logger.info(`connecting to ${db}`, {
      db,
      redis: new URL('redis://:hunter2@cache.internal:6379/0'), // a URL object is written as its href; bulwark-allow-secret: made up
      upstream: 'https://api.example.com:8443/v1/validate?email=ada@example.com', // no password: as it is
    });
    logger.error('connect failed', new Error(`ECONNREFUSED ${db}`));
    const [info, error] = await out.lines();
    expect(info!.message).toBe('connecting to postgres://[REDACTED]@db.internal:5432/orders');
    expect(info!.db).toBe('postgres://[REDACTED]@db.internal:5432/orders');
    expect(info!.redis).toBe('redis://[REDACTED]@cache.internal:6379/0');
    expect(info!.upstream).toBe('https://api.example.com:8443/v1/validate?email=ada@example.com');
    expect((error!.error as { message: string }).message).toBe('ECONNREFUSED postgres://[REDACTED]@db.internal:5432/orders');
    expect(JSON.stringify([info, error])).not.toMatch(/s3cret-pw|hunter2/);
  });

  test('every URL of a string is looked at: several in one line, one at its very end, an @ in the password, a user alone', async () => {
    const { out, logger } = setup();
    // bulwark-allow-secret: made-up passwords, the test's subject
    logger.info('replicas amqp://u:p1@a:5672/v and redis://:p@2@b,c: ftp://anonymous@d/x https://e:443/f?to=g@h mongodb://u:last@i');
    const [line] = await out.lines();
    expect(line!.message).toBe('replicas amqp://[REDACTED]@a:5672/v and redis://[REDACTED]@b,c: ftp://[REDACTED]@d/x https://e:443/f?to=g@h mongodb://[REDACTED]@i');
  });
});

describe('Secret objects', () => {
  test('an object branded Symbol.for("@bulwark/secret") or serializing to [REDACTED] is redacted', async () => {
    const { out, logger } = setup();
    const branded = new BrandedSecret('sk_branded_value_1');
    const jsonOnly = jsonOnlySecret('sk_json_only_value_2');
    logger.info('secrets', { upstreamKey: branded, other: jsonOnly, list: [branded], nested: { k: jsonOnly } });
    const text = await out.text();
    expect(JSON.parse(text)).toMatchObject({ upstreamKey: '[REDACTED]', other: '[REDACTED]', list: ['[REDACTED]'], nested: { k: '[REDACTED]' } });
    expect(text).not.toContain('sk_branded_value_1');
    expect(text).not.toContain('sk_json_only_value_2');
  });

  test('other toJSON results are written (and redacted in turn)', async () => {
    const { out, logger } = setup();
    logger.info('toJSON', { money: { toJSON: () => ({ amount: 5, password: 'p' }) } });
    expect((await out.lines())[0]!.money).toEqual({ amount: 5, password: '[REDACTED]' });
  });
});

describe('registered secret values', () => {
  test('replaced in messages, in any string field, in error messages and stacks', async () => {
    const { out, logger } = setup();
    const value = 'sk_live_0123456789abcdef'; // bulwark-allow-secret: a fixture
    disposables.push(registerSecretValue(value));
    const error = new Error(`upstream rejected key ${value}`, { cause: new Error(`cause mentions ${value}`) });
    logger.error(`call with ${value} failed`, { url: `https://api.example.com/?key=${value}`, deep: [{ note: `x${value}x` }], error });
    const text = await out.text();
    expect(text).not.toContain(value);
    const line = JSON.parse(text) as Record<string, any>;
    expect(line.message).toBe('call with [REDACTED] failed');
    expect(line.url).toBe('https://api.example.com/?key=[REDACTED]');
    expect(line.deep).toEqual([{ note: 'x[REDACTED]x' }]);
    expect(line.error.message).toBe('upstream rejected key [REDACTED]');
    expect(line.error.stack).toContain('upstream rejected key [REDACTED]');
    expect(line.error.cause.message).toBe('cause mentions [REDACTED]');
  });
});

describe('no secret value survives in any log line (property)', () => {
  const secretArb = fc.stringMatching(/^[A-Za-z0-9_\-+/=.$^*()[\]{}|?\\]{12,24}$/);
  const leafArb = (secret: string) =>
    fc.oneof(
      fc.constant(secret),
      fc.constant(`prefix ${secret} suffix`),
      fc.constant(new BrandedSecret(secret)),
      fc.constant(jsonOnlySecret(secret)),
      fc.constant(new Error(`failed with ${secret}`, { cause: new Error(secret) })),
      fc.constant(new AggregateError([new Error(`a ${secret}`)], `agg ${secret}`)),
      fc.string(),
      fc.integer(),
      fc.boolean(),
    );
  const treeArb = (secret: string) =>
    fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leafArb(secret),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...DEFAULT_REDACT_KEYS)), tie('node'), { maxKeys: 4 }),
      ),
    })).node;

  test('registered values, Secret objects and credential fields never reach the output', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb.chain((secret) => fc.tuple(fc.constant(secret), fc.dictionary(fc.string({ maxLength: 8 }), treeArb(secret), { maxKeys: 5 }))),
        async ([secret, fields]) => {
          const { out, logger } = setup({ format: 'json' });
          const handle = registerSecretValue(secret);
          try {
            logger.warn(`message with ${secret}`, fields);
            logger.child({ nested: fields }).error(new Error(`boom ${secret}`));
            const text = await out.text();
            for (const line of text.trimEnd().split('\n')) JSON.parse(line);
            expect(text).not.toContain(secret);
            expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
          } finally {
            handle.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
