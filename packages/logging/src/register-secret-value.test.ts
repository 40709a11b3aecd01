import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
import { leaks } from '../test/leaks.js';
import { createLogger, registerSecretValue } from './index.js';

function setup() {
  const out = captureLog();
  const logger = createLogger({ service: 'gateway', destination: out.destination });
  return { out, logger };
}

describe('registerSecretValue', () => {
  test('redacts while registered; disposing stops it (for later lines only)', async () => {
    const { out, logger } = setup();
    const handle = registerSecretValue('tok_abcdefghijkl');
    logger.info('with tok_abcdefghijkl');
    handle.dispose();
    handle.dispose(); // twice is harmless
    logger.info('with tok_abcdefghijkl');
    expect((await out.lines()).map((l) => l.message)).toEqual(['with [REDACTED]', 'with tok_abcdefghijkl']);
  });

  test('a registered value used as a field name is replaced there too, at any depth and in maps', async () => {
    const { out, logger } = setup();
    using _key = registerSecretValue('key_live_9f8e7d6c5b4a');
    logger.info('usage', {
      key_live_9f8e7d6c5b4a: 1,
      usage: { perKey: { key_live_9f8e7d6c5b4a: { requests: 3 } } },
      counts: new Map([['key_live_9f8e7d6c5b4a', 2]]),
    });
    expect(await out.text()).not.toContain('key_live_9f8e7d6c5b4a');
    expect((await out.lines())[0]).toMatchObject({
      '[REDACTED]': 1,
      usage: { perKey: { '[REDACTED]': { requests: 3 } } },
      counts: { '[REDACTED]': 2 },
    });
  });

  test('registrations are counted: a value stays redacted until every handle is disposed', async () => {
    const { out, logger } = setup();
    const first = registerSecretValue('shared_value_123456');
    const second = registerSecretValue('shared_value_123456');
    first.dispose();
    logger.info('shared_value_123456');
    second.dispose();
    logger.info('shared_value_123456');
    expect((await out.lines()).map((l) => l.message)).toEqual(['[REDACTED]', 'shared_value_123456']);
  });

  test('values with regular-expression characters match literally; a longer value containing a shorter one is replaced whole', async () => {
    const { out, logger } = setup();
    using _a = registerSecretValue('a.b*c+(d)?[e]$1\\');
    using _b = registerSecretValue('prefix-key');
    using _c = registerSecretValue('prefix-key-and-more');
    logger.info('x a.b*c+(d)?[e]$1\\ y aXbbc z prefix-key-and-more w prefix-key');
    expect((await out.lines())[0]!.message).toBe('x [REDACTED] y aXbbc z [REDACTED] w [REDACTED]');
  });

  test('a value before, between and after percent-escapes is replaced each time', async () => {
    const { out, logger } = setup();
    using _ = registerSecretValue('tok_9f8e7d6c5b4a');
    logger.info('calls', {
      url: 'https://api.example.com/v1?token=tok_9f8e7d6c5b4a&q=a%20b&again=tok_9f8e7d6c5b4a&c=%2C&last=tok_9f8e7d6c5b4a',
      path: '/a%2Fb/tok_9f8e7d6c5b4a',
    });
    expect((await out.lines())[0]).toMatchObject({
      url: 'https://api.example.com/v1?token=[REDACTED]&q=a%20b&again=[REDACTED]&c=%2C&last=[REDACTED]',
      path: '/a%2Fb/[REDACTED]',
    });
  });

  test('works with `using`, and a custom censor is used literally', async () => {
    const out = captureLog();
    const logger = createLogger({ service: 's', destination: out.destination, censor: '$&-hidden' });
    {
      using _ = registerSecretValue('scoped_secret_value');
      logger.info('in scope scoped_secret_value');
    }
    logger.info('out of scope scoped_secret_value');
    expect((await out.lines()).map((l) => l.message)).toEqual(['in scope $&-hidden', 'out of scope scoped_secret_value']);
  });

  test('a value registered after a child or a context was made is redacted in their fields too', async () => {
    const { out, logger } = setup();
    const { withLogContext } = await import('./index.js');
    const child = logger.child({ upstreamUrl: 'https://api.example.com/?key=late_registered_value' });
    withLogContext({ note: 'late_registered_value' }, () => {
      using _ = registerSecretValue('late_registered_value');
      child.info('after registration');
    });
    expect(await out.text()).not.toContain('late_registered_value');
    expect((await out.lines())[0]).toMatchObject({ upstreamUrl: 'https://api.example.com/?key=[REDACTED]', note: '[REDACTED]' });
  });

  test('context, child and default fields follow registrations from line to line', async () => {
    const out = captureLog();
    const logger = createLogger({ service: 's', destination: out.destination, fields: { d: 'changing_value_000' } });
    const { withLogContext } = await import('./index.js');
    const child = logger.child({ b: 'changing_value_000' });
    const shared = { nested: 'before' };
    withLogContext({ c: 'changing_value_000', obj: shared }, () => {
      child.info('one');
      const handle = registerSecretValue('changing_value_000');
      shared.nested = 'after';
      child.info('two');
      handle.dispose();
      child.info('three');
    });
    const lines = await out.lines();
    expect(lines.map(({ d, c, b }) => [d, c, b])).toEqual([
      ['changing_value_000', 'changing_value_000', 'changing_value_000'],
      ['[REDACTED]', '[REDACTED]', '[REDACTED]'],
      ['changing_value_000', 'changing_value_000', 'changing_value_000'],
    ]);
    expect(lines.map((l) => (l.obj as { nested: string }).nested)).toEqual(['before', 'after', 'after']);
  });

  test('only non-empty strings, and the message never shows what was given (it is a credential)', () => {
    expect(() => registerSecretValue('')).toThrow('Expected `value` to be a non-empty string, got a string (its value is not shown).');
    const pin = 73_914_205; // a made-up numeric credential, passed without String()
    expect(() => registerSecretValue(pin as never)).toThrow('Expected `value` to be a non-empty string, got a number (its value is not shown).');
    expect(() => registerSecretValue(pin as never)).not.toThrow(String(pin));
  });
});

describe('registerSecretValue: the encoded forms a value takes on its way to a wire', () => {
  // A typical API key, and a password with every character an encoder treats specially.
  const TOKEN = 'tok_9f8e7d6c5b4a3210'; // bulwark-allow-secret: a fixture
  const PASSWORD = 'p%ä$s w0rd/+=&?"\\x'; // bulwark-allow-secret: a fixture
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const lowerPercent = (text: string) => text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const asciiJson = (text: string) =>
    JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

  /** Each form as a string: logged as a message, as a nested field and as an error's message and cause. */
  const textForms: Array<[string, (value: string) => string]> = [
    ['URLSearchParams', (v) => new URLSearchParams({ key: v, page: '2' }).toString()],
    ['url.searchParams.set', (v) => {
      const url = new URL('https://api.example.com/v1/check');
      url.searchParams.set('key', v);
      return url.href;
    }],
    ['encodeURIComponent', (v) => `https://api.example.com/v1/check?key=${encodeURIComponent(v)}`],
    ['encodeURI', (v) => encodeURI(`https://api.example.com/v1/check?key=${v}`)],
    ['percent-encoded with lower-case hex', (v) => lowerPercent(encodeURIComponent(v))],
    ['percent-encoded twice', (v) => `redirect=${encodeURIComponent(`https://a.example/?key=${encodeURIComponent(v)}`)}`],
    ['HTTP Basic auth, the value as the password', (v) => `Authorization: Basic ${b64(`user:${v}`)}`],
    ['HTTP Basic auth, a one-letter user', (v) => `Basic ${b64(`a:${v}`)}`],
    ['HTTP Basic auth, a two-letter user', (v) => `Basic ${b64(`ab:${v}`)}`],
    ['HTTP Basic auth, the value as the user', (v) => `Basic ${b64(`${v}:`)}`],
    ['base64', (v) => `key=${b64(v)}`],
    ['base64 inside a longer payload', (v) => b64(JSON.stringify({ user: 'ada', key: v, n: 1 }))],
    ['base64url without padding', (v) => `token ${Buffer.from(v).toString('base64url')}.`],
    ['base64 percent-encoded in a query', (v) => new URLSearchParams({ auth: b64(`u:${v}`) }).toString()],
    ['hex', (v) => `key ${Buffer.from(v).toString('hex')}`],
    ['upper-case hex', (v) => Buffer.from(v).toString('hex').toUpperCase()],
    ['a Buffer printed by util.inspect', (v) => `got ${inspect(Buffer.from(v))}`],
    ['a byte array printed as JSON', (v) => JSON.stringify(Buffer.from(v))],
    ['JSON text', (v) => JSON.stringify({ password: v })],
    ['JSON with non-ASCII escaped', (v) => `{"password":${asciiJson(v)}}`],
    ['a JSON-escaped string', (v) => JSON.stringify(v).slice(1, -1)],
  ];

  /** Each form as a value of its own: binary values are written as byte arrays unless redacted. */
  const valueForms: Array<[string, (value: string) => unknown]> = [
    ['a Buffer', (v) => Buffer.from(`key=${v}&n=1`)],
    ['a Uint8Array', (v) => new Uint8Array(Buffer.from(v))],
    ['an Int8Array', (v) => new Int8Array(Buffer.from(`:${v}`))],
    ['a Buffer serialized as JSON', (v) => JSON.parse(JSON.stringify(Buffer.from(v))) as unknown],
    ['an array of bytes', (v) => [...Buffer.from(v)]],
    ['a URL object', (v) => new URL(`https://user:${encodeURIComponent(v)}@api.example.com/?key=${encodeURIComponent(v)}`)],
    ['a Buffer holding the value base64-encoded', (v) => Buffer.from(`Authorization: Basic ${b64(`user:${v}`)}\r\n`)],
  ];

  for (const secret of [TOKEN, PASSWORD]) {
    test.each(textForms)(`${JSON.stringify(secret)} as %s`, async (_name, encode) => {
      const { out, logger } = setup();
      using _s = registerSecretValue(secret);
      const text = encode(secret);
      logger.info(text, { request: { note: text, list: [text] } });
      logger.error(new Error(`upstream refused ${text}`, { cause: new Error(text) }));
      expect(leaks(await out.text(), secret)).toEqual([]);
    });

    test.each(valueForms)(`${JSON.stringify(secret)} as %s`, async (_name, make) => {
      const { out, logger } = setup();
      using _s = registerSecretValue(secret);
      const value = make(secret);
      logger.info('sent', { body: value, nested: { parts: [value] } });
      logger.error(Object.assign(new Error('upstream failed'), { response: { data: value } }));
      expect(leaks(await out.text(), secret)).toEqual([]);
    });
  }

  test('what the redacted forms look like', async () => {
    const { out, logger } = setup();
    using _t = registerSecretValue(TOKEN);
    using _p = registerSecretValue(PASSWORD);
    const url = new URL('https://api.example.com/v1/check?page=2');
    url.searchParams.set('key', PASSWORD);
    logger.info('calls', {
      basic: `Basic ${b64(`user:${TOKEN}`)}`,
      basicAsUser: `Basic ${b64(`${TOKEN}:`)}`,
      url,
      form: new URLSearchParams({ user: 'ada', password: PASSWORD }).toString(),
      hex: `id ${Buffer.from(TOKEN).toString('hex')} end`,
      body: Buffer.from(`{"key":"${TOKEN}"}`),
      bytes: JSON.parse(JSON.stringify(Buffer.from(TOKEN))) as unknown,
    });
    expect((await out.lines())[0]).toMatchObject({
      basic: 'Basic [REDACTED]',
      basicAsUser: 'Basic [REDACTED]',
      url: 'https://api.example.com/v1/check?page=2&key=[REDACTED]',
      form: 'user=ada&password=[REDACTED]',
      hex: 'id [REDACTED] end',
      body: '[REDACTED]',
      bytes: { type: 'Buffer', data: '[REDACTED]' },
    });
  });

  test('binary values without a registered value in them are written as before', async () => {
    const { out, logger } = setup();
    using _t = registerSecretValue(TOKEN);
    logger.info('binary', { buffer: Buffer.from('hi'), bytes: new Uint8Array([1, 2]), list: [104, 105] });
    expect((await out.lines())[0]).toMatchObject({
      buffer: { type: 'Buffer', data: [104, 105] },
      bytes: { 0: 1, 1: 2 },
      list: [104, 105],
    });
  });

  test('a value shorter than 6 bytes is searched for as it is only: its encodings would match unrelated text', async () => {
    const { out, logger } = setup();
    using _ = registerSecretValue('abc');
    logger.info(`abc ${b64('abc')} ${Buffer.from('abc').toString('hex')}`);
    expect((await out.lines())[0]!.message).toBe(`[REDACTED] ${b64('abc')} ${Buffer.from('abc').toString('hex')}`);
  });

  test('property: no value of 8 characters or more survives the forms composed, inside other text', async () => {
    const chars = [...'abcxyzABCXYZ0189 +/=&?%#"\'\\<>;:@_-.~!*()äé€😀\n\t'];
    // How text holds the value (as it is, in JSON, in a form body), how that text becomes bytes
    // written as text, and how the result is escaped on its way into a URL or a JSON document.
    const text: Array<(t: string) => string> = [(t) => t, (t) => JSON.stringify(t), (t) => new URLSearchParams({ k: t }).toString()];
    const binary: Array<(t: string) => string> = [
      (t) => t,
      (t) => b64(t),
      (t) => Buffer.from(t).toString('base64url'),
      (t) => Buffer.from(t).toString('hex'),
      (t) => Buffer.from(t).toString('hex').toUpperCase(),
      (t) => JSON.stringify([...Buffer.from(t)]),
    ];
    const escape: Array<(t: string) => string> = [
      (t) => t,
      (t) => encodeURIComponent(t),
      (t) => new URLSearchParams({ k: t }).toString(),
      (t) => lowerPercent(encodeURIComponent(t)),
      (t) => encodeURIComponent(encodeURIComponent(t)),
      (t) => JSON.stringify(t),
      (t) => asciiJson(t),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom(...chars), minLength: 8, maxLength: 24 }),
        fc.string({ maxLength: 6 }),
        fc.string({ maxLength: 6 }),
        fc.nat(text.length - 1),
        fc.nat(binary.length - 1),
        fc.nat(escape.length - 1),
        async (secret, before, after, t, b, e) => {
          // Escaping an escaped value (a JSON body percent-encoded into a URL) is not searched for.
          fc.pre(b !== 0 || t === 0 || e === 0);
          const { out, logger } = setup();
          using _s = registerSecretValue(secret);
          const written = escape[e]!(binary[b]!(text[t]!(`${before}${secret}${after}`)));
          logger.warn(`sent ${written}`, { payload: { written }, bytes: Buffer.from(written) });
          expect(leaks(await out.text(), secret)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
