import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-cli-'));
const PASSPHRASE = 'cli passphrase for tests'; // bulwark-allow-secret (test fixture)
const VALUE = 'sk_test_cli_value_0123456789';

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npx -y pnpm@10.34.9 exec tsc -b), npm test does.`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const cli = (args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...env, BULWARK_SECRETS_PASSPHRASE: PASSPHRASE, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bulwark-secrets ${args.join(' ')} did not finish within 15 s`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });

const store = ['--store', 'store.json', '--kdf', 'scrypt', '--kdf-cost', '1024'];

describe('bulwark-secrets CLI', () => {
  test('set, get (redacted unless --reveal), list, rotate', async () => {
    expect(await cli(['set', 'STRIPE_KEY', ...store], { input: `${VALUE}\n` })).toMatchObject({ code: 0, stdout: 'STRIPE_KEY v1\n' });
    const get = await cli(['get', 'STRIPE_KEY', ...store]);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe('STRIPE_KEY v1 [REDACTED] (versions: v1; add --reveal to print the value)\n');
    expect(await cli(['get', 'STRIPE_KEY', '--reveal', ...store])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    const rotate = await cli(['rotate', 'STRIPE_KEY', ...store]);
    expect(rotate).toMatchObject({ code: 0, stdout: 'STRIPE_KEY v2\n' });
    const list = await cli(['list', ...store]);
    expect(list.stdout).toMatch(/^STRIPE_KEY\tv2\tkey [0-9a-f]{8}\t\S+\t2 version\(s\)\n$/);
    expect(await cli(['get', 'STRIPE_KEY', '--version', 'v1', '--reveal', ...store])).toMatchObject({ stdout: `${VALUE}\n` });
    expect(readFileSync(join(dir, 'store.json'), 'utf8')).not.toContain(VALUE);
  });

  test('a wrong passphrase is a clear error and exit code 1', async () => {
    const run = await cli(['get', 'STRIPE_KEY', ...store], { env: { BULWARK_SECRETS_PASSPHRASE: 'wrong' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/wrong passphrase or key file .*\[SECRET_STORE_WRONG_KEY\]\n$/);
    expect(run.stdout).toBe('');
  });

  test('keygen and rekey from a passphrase to a key file', async () => {
    expect(await cli(['keygen', 'store.key'])).toMatchObject({ code: 0 });
    expect(statSync(join(dir, 'store.key')).mode & 0o777).toBe(0o600);
    expect((await cli(['keygen', 'store.key'])).code).toBe(1); // never overwrites a key
    const rekey = await cli(['rekey', '--new-key-file', 'store.key', ...store]);
    expect(rekey.code).toBe(0);
    expect(rekey.stdout).toMatch(/^re-encrypted 2 version\(s\) under key [0-9a-f]{8}; removed key\(s\): [0-9a-f]{8}\n$/);
    expect(await cli(['get', 'STRIPE_KEY', '--version', 'v1', '--reveal', '--key-file', 'store.key', '--store', 'store.json'])).toMatchObject({
      code: 0,
      stdout: `${VALUE}\n`,
    });
    expect((await cli(['list', ...store])).code).toBe(1);
  });

  test('usage errors exit 2 and never take a value as an argument', async () => {
    const run = await cli(['set', 'X', '--value', 'oops', ...store]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bulwark-secrets: Unknown option `--value` of bulwark-secrets; did you mean `--from-file`\?\n/);
    expect((await cli(['frobnicate', ...store])).code).toBe(2);
    expect((await cli(['get', ...store])).stderr).toMatch(/get needs a secret name/);
  });

  test('a mistyped option gets a did-you-mean, exit code 2, and never echoes a value', async () => {
    const stor = await cli(['list', '--stor', 'store.json']);
    expect(stor.code).toBe(2);
    expect(stor.stderr).toMatch(/^bulwark-secrets: Unknown option `--stor` of bulwark-secrets; did you mean `--store`\?\n/);
    const typed = 'hunter2-typed-as-an-option'; // bulwark-allow-secret: test fixture
    const inline = await cli(['list', `--passphrase=${typed}`, ...store]);
    expect(inline.code).toBe(2);
    expect(inline.stderr).toMatch(/^bulwark-secrets: Unknown option `--passphrase` of bulwark-secrets; did you mean `--passphrase-env`\?\n/);
    const value = '--sk_test_value_as_option'; // bulwark-allow-secret: test fixture
    const asOption = await cli(['set', 'X', value, ...store]);
    expect(asOption.code).toBe(2);
    expect(asOption.stderr).toMatch(/^bulwark-secrets: unknown option \(not shown: it does not look like an option name\)\n/);
    expect(asOption.stdout + asOption.stderr).not.toContain('sk_test_value');
    expect(inline.stdout + inline.stderr).not.toContain(typed);
  });

  test('a value given as an argument is refused, never echoed, and nothing is stored', async () => {
    const typed = 'sk_test_typed_in_the_wrong_place'; // bulwark-allow-secret: test fixture
    const run = await cli(['set', 'ARG_KEY', typed, ...store], { input: 'from-stdin\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^bulwark-secrets: set takes one argument, the secret name \(1 more given, not shown\); a value is read from stdin or --from-file, never from an argument/,
    );
    expect(run.stdout + run.stderr).not.toContain(typed);
    expect((await cli(['get', 'ARG_KEY', ...store])).code).toBe(1);
    expect((await cli(['list', 'extra', ...store])).stderr).toMatch(/^bulwark-secrets: list takes no arguments \(1 more given, not shown\)\n/);
  });

  test('get, list and rekey on a path with no store say so, and create nothing', async () => {
    for (const args of [['get', 'STRIPE_KEY'], ['list'], ['rekey', '--new-passphrase-env', 'BULWARK_SECRETS_PASSPHRASE']]) {
      const run = await cli([...args, '--store', 'mistyped.json']);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toBe(`bulwark-secrets: no store at ${join(dir, 'mistyped.json')}: check --store or BULWARK_SECRETS_STORE (set and rotate create one)\n`);
      expect(existsSync(join(dir, 'mistyped.json'))).toBe(false);
    }
  });

  test("the README's CLI lines run as written, in order", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('\n## CLI\n'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const cwd = join(dir, 'readme');
    (await import('node:fs')).mkdirSync(cwd);
    const env: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command === '') continue;
      const exported = /^export (\w+)=(\S+)$/.exec(command);
      if (exported !== null) {
        env[exported[1]!] = exported[2]!;
        continue;
      }
      const [program, ...args] = command.split(/\s+/);
      expect(program, line).toBe('bulwark-secrets');
      const run = await cli(args, { cwd, env, input: 'readme-example-value\n' });
      expect({ line, code: run.code, stderr: run.stderr }).toEqual({ line, code: 0, stderr: expect.not.stringMatching(/bulwark-secrets: /) });
    }
    expect(Object.keys(env)).toEqual(['BULWARK_SECRETS_PASSPHRASE']);
  });

  test('scan exits 1 on findings and 0 on a clean tree, printing no values', async () => {
    const tree = join(dir, 'tree');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(tree);
    const key = `${'AKIA'}QWERTYUIOPASDFGH`;
    writeFileSync(join(tree, 'config.ts'), `export const key = '${key}';\n`);
    const found = await cli(['scan', 'tree']);
    expect(found.code).toBe(1);
    expect(found.stdout).toBe('tree/config.ts:1:21: aws-access-key-id: AWS access key id: AKIA******** (20 chars)\n');
    expect(found.stdout + found.stderr).not.toContain(key);
    writeFileSync(join(tree, 'config.ts'), `export const key = '${key}'; // bulwark-allow-secret: test fixture\n`);
    const clean = await cli(['scan', 'tree']);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/no credentials found in 1 files/);
  });
});
