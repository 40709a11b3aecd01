import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONFIG_VARIABLES, isConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  test('takes every default from an empty environment: memory stores, loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ serviceName: 'validation-gateway', port: 8080, host: '127.0.0.1', redisUrl: undefined, maxBatch: 100, upstreamRatePerSecond: 20 });
  });

  test.each([
    ['PORT', 'http', 'Expected `PORT` to be an integer from 0 to 65535, got "http".'],
    ['BREAKER_FAILURE_RATE', '2', 'Expected `BREAKER_FAILURE_RATE` to be a number above 0 and at most 1, got "2".'],
    ['LOG_LEVEL', 'loud', 'Expected `LOG_LEVEL` to be one of error, warn, info, http, verbose, debug, silly, got "loud".'],
  ])('names the variable, the value and what was expected: %s', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  test('never shows the password of a Redis URL it refuses', () => {
    // bulwark-allow-secret: a made-up password, to show it is never printed
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2@host:6379' })).toThrow('"http://user:***@host:6379"');
  });

  test('the Redis prefix follows the service\'s name: two services on one Redis never share keys by default', () => {
    expect(loadConfig({}).redisPrefix).toBe('validation-gateway:');
    const billing = loadConfig({ SERVICE_NAME: 'billing', REDIS_URL: 'redis://127.0.0.1:6379' });
    const shipping = loadConfig({ SERVICE_NAME: 'shipping', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect([billing.redisPrefix, shipping.redisPrefix]).toEqual(['billing:', 'shipping:']);
    // Instances of one service share it; a prefix given outright wins, an empty one is the default.
    expect(loadConfig({ SERVICE_NAME: 'billing' }).redisPrefix).toBe(billing.redisPrefix);
    expect(loadConfig({ SERVICE_NAME: 'billing', REDIS_PREFIX: 'shared:' }).redisPrefix).toBe('shared:');
    expect(loadConfig({ SERVICE_NAME: 'billing', REDIS_PREFIX: '' }).redisPrefix).toBe('billing:');
  });

  test.each([
    ['a quote', 'acme "checker"'],
    ['a backslash', 'acme\\checker'],
    ['a control character', 'acme\nchecker'],
    ['a character past ASCII', 'acmé'],
  ])('refuses a SERVICE_NAME with %s: it is the realm of a 401, a quoted string in a header', (_, name) => {
    expect(() => loadConfig({ SERVICE_NAME: name })).toThrow(`Expected \`SERVICE_NAME\` to be printable ASCII without \`"\` or \`\\\`, got ${JSON.stringify(name)}.`);
  });

  test('an attempt timeout longer than the total one is refused', () => {
    expect(() => loadConfig({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '9000' })).toThrow('UPSTREAM_ATTEMPT_TIMEOUT_MS');
  });

  test('the README\'s configuration table lists every variable with its default and meaning', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES) {
      expect(readme, variable.name).toContain(`| \`${variable.name}\` | ${variable.default === '—' ? '—' : `\`${variable.default}\``} | ${variable.meaning} |`);
    }
  });
});
