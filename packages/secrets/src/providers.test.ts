import { mkdtempSync, rmSync, writeFileSync, renameSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  chainProviders,
  directoryProvider,
  dotenvProvider,
  envProvider,
  isSecretLoadFailedError,
  isSecretProviderFailedError,
  memoryProvider,
  secretManager,
  type SecretLoadFailedError,
  type SecretProvider,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-providers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const value = async (p: SecretProvider, name: string): Promise<string | undefined> => (await p.fetch(name))?.current.reveal();

describe('envProvider', () => {
  test('reads prefixed variables, maps names, and treats empty as unset', async () => {
    const env = envProvider({ prefix: 'APP_', env: { APP_DB_PASSWORD: 'pw-1', APP_STRIPE_API_KEY: 'k', APP_EMPTY: '' } });
    expect(await value(env, 'DB_PASSWORD')).toBe('pw-1');
    expect(await value(env, 'stripe.apiKey')).toBe('k');
    expect(await env.fetch('EMPTY')).toBeUndefined();
    expect(await env.fetch('MISSING')).toBeUndefined();
    expect(await env.list!()).toEqual(['DB_PASSWORD', 'EMPTY', 'STRIPE_API_KEY'].filter((n) => n !== 'EMPTY'));
  });

  test('NAME_FILE points at a file whose content (minus a trailing newline) is the value', async () => {
    const file = join(dir, 'db_password');
    writeFileSync(file, 'from-file\n');
    const env = envProvider({ env: { DB_PASSWORD_FILE: file } });
    expect(await value(env, 'DB_PASSWORD')).toBe('from-file');
    expect(await env.list!()).toEqual(['DB_PASSWORD']);
  });

  test('both NAME and NAME_FILE set is an error, not a silent choice', async () => {
    const env = envProvider({ env: { TOKEN: 'a', TOKEN_FILE: '/nowhere' } });
    const error = await env.fetch('TOKEN').catch((e: unknown) => e);
    expect(isSecretProviderFailedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/both TOKEN and TOKEN_FILE/);
  });

  test('an unreadable NAME_FILE fails with its path, the variable and the reason in words, never falling through', async () => {
    const missing = join(dir, 'x', 'missing.json');
    const env = envProvider({ env: { TOKEN_FILE: missing, DIR_FILE: dir } });
    await expect(env.fetch('TOKEN')).rejects.toThrow(
      `envProvider (secret "TOKEN"): cannot read ${missing} (named by TOKEN_FILE): no such file (ENOENT).`,
    );
    await expect(env.fetch('DIR')).rejects.toThrow(`cannot read ${dir} (named by DIR_FILE): is a directory (EISDIR).`);
  });

  test.each([
    ['empty', '', 'empty'],
    ['only a newline', '\n', 'empty'],
    ['only whitespace', ' \t\n\n', 'blank (only whitespace)'],
  ])('a NAME_FILE that is %s is reported as such with its path, not as an unset secret', async (_, content, words) => {
    const file = join(dir, `api_keys_${words.length}_${content.length}`);
    writeFileSync(file, content);
    const env = envProvider({ env: { GATEWAY_API_KEYS_FILE: file } });
    const message = `the file ${file} named by GATEWAY_API_KEYS_FILE is ${words}; expected the secret's value in it.`;
    const error = await env.fetch('GATEWAY_API_KEYS').catch((e: unknown) => e);
    expect(isSecretProviderFailedError(error)).toBe(true);
    expect((error as Error).message).toBe(`envProvider (secret "GATEWAY_API_KEYS"): ${message}`);

    const vault = secretManager({ providers: [env, memoryProvider({ secrets: { GATEWAY_API_KEYS: 'lower-precedence' } })] });
    const loaded = await vault.load({ keys: { name: 'GATEWAY_API_KEYS' } }).catch((e: unknown) => e);
    expect(isSecretLoadFailedError(loaded)).toBe(true);
    expect((loaded as SecretLoadFailedError).problems).toEqual([
      { field: 'keys', key: 'GATEWAY_API_KEYS', problem: 'unavailable', detail: `envProvider (secret "GATEWAY_API_KEYS"): ${message}` },
    ]);
    await vault.close();
  });

  test('options are validated', () => {
    expect(() => envProvider({ prefix: 1 as never })).toThrow('Expected `prefix` to be a string, got 1.');
  });
});

describe('dotenvProvider', () => {
  test('parses with dotenv (quotes, comments, multi-line) and re-reads when the file changes', async () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'API_KEY="quoted value" # comment\nMULTI="line1\nline2"\n# OTHER=x\n');
    const p = dotenvProvider({ path });
    expect(await value(p, 'API_KEY')).toBe('quoted value');
    expect(await value(p, 'MULTI')).toBe('line1\nline2');
    expect(await p.fetch('OTHER')).toBeUndefined();
    writeFileSync(path, 'API_KEY=rotated-and-longer\n');
    expect(await value(p, 'API_KEY')).toBe('rotated-and-longer');
    expect(await p.list!()).toEqual(['API_KEY']);
  });

  test('a missing file holds nothing, unless required', async () => {
    const path = join(dir, 'missing.env');
    expect(await dotenvProvider({ path }).fetch('A')).toBeUndefined();
    await expect(dotenvProvider({ path, required: true }).fetch('A')).rejects.toThrow(/missing\.env does not exist/);
  });
});

describe('directoryProvider', () => {
  test('one file per secret, re-read after an atomic replacement', async () => {
    const mount = join(dir, 'run-secrets');
    mkdirSync(mount);
    writeFileSync(join(mount, 'db_password'), 'first\n');
    const p = directoryProvider({ path: mount });
    expect(await value(p, 'db_password')).toBe('first');
    writeFileSync(join(mount, '.tmp'), 'second-value');
    renameSync(join(mount, '.tmp'), join(mount, 'db_password'));
    expect(await value(p, 'db_password')).toBe('second-value');
    expect(await p.fetch('absent')).toBeUndefined();
    expect(await p.list!()).toEqual(['db_password']);
    await p.close();
  });

  test('follows a Kubernetes-style ..data symlink swap', async () => {
    const mount = join(dir, 'k8s');
    mkdirSync(join(mount, 'a'), { recursive: true });
    mkdirSync(join(mount, 'b'));
    writeFileSync(join(mount, 'a', 'token'), 'token-a');
    writeFileSync(join(mount, 'b', 'token'), 'token-b');
    symlinkSync('a', join(mount, '..data'));
    symlinkSync(join('..data', 'token'), join(mount, 'token'));
    const p = directoryProvider({ path: mount });
    expect(await value(p, 'token')).toBe('token-a');
    symlinkSync('b', join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    expect(await value(p, 'token')).toBe('token-b');
  });

  test('refuses names that are not plain file names', async () => {
    const p = directoryProvider({ path: dir });
    for (const bad of ['../etc/passwd', '.hidden', 'a/b', '']) {
      await expect(p.fetch(bad)).rejects.toThrow(/not a plain file name/);
    }
  });

  test('with watch, a change is announced through onChange', async () => {
    const mount = join(dir, 'watched');
    mkdirSync(mount);
    const p = directoryProvider({ path: mount, watch: true });
    const changed = new Promise<string | undefined>((resolve) => p.onChange((e) => resolve(`${e.name}: ${e.secretName}`)));
    writeFileSync(join(mount, 'api_key'), 'v1');
    const name = await Promise.race([changed, new Promise((r) => setTimeout(() => r('timeout'), 5_000))]);
    await p.close();
    expect(name === 'directoryProvider: api_key' || name === 'directoryProvider: undefined').toBe(true);
  });

  test('close() stops the watcher: no change is announced after it, and closing again is harmless', async () => {
    const mount = join(dir, 'watched-closed');
    mkdirSync(mount);
    const announced: (string | undefined)[] = [];
    {
      await using p = directoryProvider({ path: mount, watch: true });
      p.onChange((e) => announced.push(e.secretName));
      await p.close();
      await p.close();
    } // and `await using` closes it a third time
    // A second, open watcher on the same directory: once it has seen the change, the closed one would have too.
    await using witness = directoryProvider({ path: mount, watch: true });
    const seen = new Promise((resolve) => witness.onChange(resolve));
    writeFileSync(join(mount, 'api_key'), 'v1');
    await seen;
    expect(announced).toEqual([]);
  });
});

describe('chainProviders and memoryProvider', () => {
  test('the first provider holding a secret wins', async () => {
    const high = memoryProvider({ name: 'high', secrets: { A: 'high-a' } });
    const low = memoryProvider({ name: 'low', secrets: { A: 'low-a', B: 'low-b' } });
    const chain = chainProviders(high, low);
    expect(await value(chain, 'A')).toBe('high-a');
    expect(await value(chain, 'B')).toBe('low-b');
    expect(await chain.fetch('C')).toBeUndefined();
    expect(await chain.list!()).toEqual(['A', 'B']);
    expect(chain.name).toBe('high > low');
  });

  test('a failing provider stops the lookup: a lower one never answers for it', async () => {
    const broken: SecretProvider = {
      name: 'broken',
      fetch: () => Promise.reject(new Error('down')),
    };
    const low = memoryProvider({ secrets: { A: 'low-a' } });
    await expect(chainProviders(broken, low).fetch('A')).rejects.toThrow('down');
    expect(low.fetchCount).toBe(0);
  });

  test('memoryProvider keeps the previous version on set', async () => {
    const m = memoryProvider({ secrets: { K: 'one' } });
    expect(m.set('K', 'two')).toBe('v2');
    const versions = await m.fetch('K');
    expect(versions?.current.version).toBe('v2');
    expect(versions?.previous?.reveal()).toBe('one');
    m.delete('K');
    expect(await m.fetch('K')).toBeUndefined();
  });

  test("onChange names the provider as `name` and the secret as `secretName`, through a chain too", () => {
    const m = memoryProvider({ name: 'overrides' });
    const chain = chainProviders(m);
    const seen: unknown[] = [];
    m.onChange((e) => seen.push(e));
    chain.onChange!((e) => seen.push(e));
    m.set('K', 'one');
    m.delete('K');
    expect(seen).toEqual([
      { name: 'overrides', secretName: 'K' },
      { name: 'overrides', secretName: 'K' },
      { name: 'overrides', secretName: 'K' },
      { name: 'overrides', secretName: 'K' },
    ]);
  });
});
