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

  test('an attempt timeout longer than the total one is refused', () => {
    expect(() => loadConfig({ UPSTREAM_ATTEMPT_TIMEOUT_MS: '9000' })).toThrow('UPSTREAM_ATTEMPT_TIMEOUT_MS');
  });

  test('the README\'s configuration table lists every variable with its default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES) {
      expect(readme, variable.name).toContain(`| \`${variable.name}\` | ${variable.default === '—' ? '—' : `\`${variable.default}\``} |`);
    }
  });
});
