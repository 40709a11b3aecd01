import { describe, expect, test } from 'vitest';
import { captureLog } from '@bulwark/test-utils';
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

  test('only non-empty strings', () => {
    expect(() => registerSecretValue('')).toThrow('Expected `value` to be a non-empty string, got "".');
    expect(() => registerSecretValue(42 as never)).toThrow('Expected `value` to be a non-empty string, got 42.');
  });
});
