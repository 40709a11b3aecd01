// A start with a wrong setting: the process exits non-zero with one line naming the variable, the
// value and what was expected, and no stack trace.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayProcess } from './support/gateway-process.js';
import { startFixture, type Fixture } from './support/fixture.js';
import type { UpstreamStandIn } from './support/upstream-stand-in.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let fixture: Fixture<UpstreamStandIn>;

beforeAll(async () => {
  fixture = await startFixture({ standIn: {} });
});
afterAll(async () => {
  await fixture?.close();
});

/** Starts the gateway with the fixture's secrets and `env`; resolves with how it failed. */
async function failedStart(env: Record<string, string>): Promise<string> {
  const started = startGatewayProcess({ UPSTREAM_URL: fixture.upstream.url, UPSTREAM_API_KEY_FILE: fixture.upstreamKeyFile, GATEWAY_API_KEYS_FILE: fixture.callerKeysFile, ...env });
  const error = await started.then(
    async (gateway) => {
      await gateway.stop('SIGKILL');
      throw new Error('The gateway started.');
    },
    (e: Error) => e,
  );
  return error.message;
}

describe('a wrong setting stops the start with one line naming it', () => {
  test.each([
    ['a host that does not resolve', { HOST: 'gateway.invalid' }, 2, 'Expected `HOST` to be an address of this machine, such as 127.0.0.1, or 0.0.0.0 for every interface, got "gateway.invalid".'],
    ['a host that is not this machine\'s', { HOST: '192.0.2.1' }, 2, 'Expected `HOST` to be an address of this machine, such as 127.0.0.1, or 0.0.0.0 for every interface, got "192.0.2.1".'],
    ['a number in hexadecimal', { CALLER_RATE_PER_SECOND: '0x10' }, 2, 'Expected `CALLER_RATE_PER_SECOND` to be an integer from 1 to 1000000, got "0x10".'],
    ['a number with an exponent', { CACHE_MAX_ENTRIES: '1e5' }, 2, 'Expected `CACHE_MAX_ENTRIES` to be an integer from 1 to 100000000, got "1e5".'],
    ['a store with neither key file nor passphrase', { SECRETS_STORE: '/tmp/no-such.store' }, 2, 'Expected `SECRETS_STORE_KEY_FILE` to be the store\'s key file (or `BULWARK_SECRETS_PASSPHRASE` its passphrase) when `SECRETS_STORE` is set, got nothing.'],
  ])('%s', async (_, env, code, message) => {
    expect(await failedStart(env)).toBe(`The gateway exited with ${code} before listening. stderr: validation-gateway: ${message}\n`);
  });

  test('a port in use names the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expect(await failedStart({ PORT: String(port) })).toBe(
        `The gateway exited with 1 before listening. stderr: validation-gateway: Expected \`PORT\` to be a port free on 127.0.0.1 (this one is in use; 0 takes a free one), got "${port}".\n`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('hash-key', () => {
  const KEY = 'hash-key-test-key-0123456789abcdef'; // bulwark-allow-secret: made-up key of the test
  const run = (...args: string[]) => {
    const { NODE_OPTIONS: _, ...env } = process.env;
    return spawnSync(process.execPath, [MAIN, ...args], { input: KEY, env, encoding: 'utf8' });
  };

  test('prints an entry the gateway accepts', () => {
    const result = run('hash-key', 'my-app', 'validate,admin');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'my-app', scopes: ['validate', 'admin'] });
  });

  test.each([
    ['an unknown scope', ['my-app', 'validate,admn'], 'validation-gateway: Expected SCOPES to be validate, admin or validate,admin, got "validate,admn". (see --help)\n'],
    ['an ID the gateway refuses', ['my app'], "validation-gateway: Expected ID to be 1 to 64 letters, digits, '.', '_' or '-', got 6 characters (not shown: it could be a key). (see --help)\n"],
    ['an argument too many', ['my-app', 'validate', 'extra'], 'validation-gateway: hash-key takes an ID and SCOPES, got 3 arguments (the key is read on stdin, never as an argument). (see --help)\n'],
  ])('refuses %s rather than print an entry the gateway would refuse at its next start', (_, args, message) => {
    const result = run('hash-key', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(message);
    expect(result.stdout).toBe('');
  });

  test('--help prints the usage on stdout and exits 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: validation-gateway/);
    expect(result.stderr).toBe('');
  });
});
