import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encryptedFileStore, type KdfOptions, type StoreKey } from '../encrypted-file-store.js';
import { expectOptions, isBulwarkError, knownOptions, type KnownOptions } from '@bulwark/core';
import { ALLOW_SECRET_MARKER, ALLOW_LIST_FILE, scanForSecrets } from '../scan-for-secrets.js';
import { stripTrailingNewline } from './names.js';

/** What the CLI reads from and writes to; the process's own streams in `bin.ts`. */
export interface CliIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const USAGE = `Usage: bulwark-secrets <command> [options]

Commands:
  set <name>              store a new version of <name>; the value is read from stdin
                          (or --from-file <path>); the old version becomes the previous one
  get <name>              show <name>'s versions; the value is printed only with --reveal
                          (--version vN for an older version)
  list                    every secret with its versions and key ids (never values)
  rotate <name>           a new version with a fresh random value (32 bytes, base64url), or
                          the value from stdin with --stdin; prints the value only with --reveal
  rekey                   re-encrypt everything under a new key: --new-key-file <path> or
                          --new-passphrase-env <VAR>; the old key then no longer opens the
                          store: give the new one (--key-file, --passphrase-env) from then on
  keygen <file>           write a new random 32-byte key file (mode 0600, fails if it exists)
  scan [paths...]         list credential-shaped strings in the files git tracks (all, or
                          under paths); exits 1 when any is found. Mark a test fixture with
                          "${ALLOW_SECRET_MARKER}" on its line (or the line before), or list
                          path globs in ${ALLOW_LIST_FILE}

Store options:
  --store <path>          the store file (default: $BULWARK_SECRETS_STORE)
  --key-file <path>       open the store with a key file
  --passphrase-env <VAR>  open it with the passphrase in variable VAR
                          (default: BULWARK_SECRETS_PASSPHRASE); never pass it as an argument
  --old-key-file <path>, --old-passphrase-env <VAR>
                          an older key, for values not yet re-encrypted (repeatable)
  --kdf scrypt|argon2id   key stretching for new passphrase keys (default: argon2id when the
                          runtime has it, else scrypt)
  --kdf-cost <n>          scrypt N (power of two) or Argon2id memory in KiB
`;

const OPTIONS = {
  store: { type: 'string' },
  'key-file': { type: 'string' },
  'passphrase-env': { type: 'string' },
  'old-key-file': { type: 'string', multiple: true },
  'old-passphrase-env': { type: 'string', multiple: true },
  'new-key-file': { type: 'string' },
  'new-passphrase-env': { type: 'string' },
  kdf: { type: 'string' },
  'kdf-cost': { type: 'string' },
  reveal: { type: 'boolean' },
  version: { type: 'string' },
  stdin: { type: 'boolean' },
  'from-file': { type: 'string' },
  'allow-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The CLI's options for "did you mean", each with names a user might reach for instead. */
const CLI_OPTIONS: KnownOptions = knownOptions<Record<`--${keyof typeof OPTIONS}`, unknown>>('bulwark-secrets', {
  '--store': ['--file', '--path'],
  '--key-file': ['--key', '--keyfile'],
  '--passphrase-env': ['--passphrase', '--password', '--pass'],
  '--old-key-file': [],
  '--old-passphrase-env': [],
  '--new-key-file': [],
  '--new-passphrase-env': [],
  '--kdf': [],
  '--kdf-cost': [],
  '--reveal': ['--show', '--print'],
  '--version': [],
  '--stdin': [],
  // A value is never an argument (other users see arguments in ps): it comes from stdin or a file.
  '--from-file': ['--value', '--secret'],
  '--allow-file': [],
  '--help': [],
});

/**
 * A parse error in our words. An unknown option is named, with the option it most likely meant
 * (core's "did you mean"), only when it looks like an option name: a value typed in the wrong place
 * (`--s3cr3t…`) is never repeated. Node already leaves out what follows `=`.
 */
function parseError(error: Error & { code?: string }): string {
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec(error.message)?.[1] : undefined;
  if (unknown === undefined) return error.message;
  if (!/^--?[a-z][a-z0-9-]{0,30}$/i.test(unknown)) return 'unknown option (not shown: it does not look like an option name)';
  try {
    expectOptions('options', { [unknown]: true }, CLI_OPTIONS);
  } catch (suggestion) {
    return (suggestion as Error).message;
  }
  return error.message;
}

class UsageError extends Error {}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs one CLI command; resolves to the exit code (0 ok, 1 failure or findings, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`bulwark-secrets: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // Our errors never carry values; a foreign one is named by its class and message only.
    const message = error instanceof Error ? error.message : String(error);
    const code = isBulwarkError(error) ? ` [${error.code}]` : '';
    io.stderr(`bulwark-secrets: ${message}${code}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(parseError(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    io.stdout(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }

  if (command === 'scan') {
    const report = await scanForSecrets({
      cwd: io.cwd,
      paths: rest,
      ...(values['allow-file'] === undefined ? {} : { allowListFile: resolve(io.cwd, values['allow-file']) }),
    });
    for (const f of report.findings) {
      io.stdout(`${f.file}:${f.line}:${f.column}: ${f.rule}: ${f.description}: ${f.preview}\n`);
    }
    const verdict =
      report.findings.length === 0
        ? `no credentials found in ${report.filesScanned} files`
        : `${report.findings.length} credential-shaped string(s) found in ${report.filesScanned} files; remove them, or mark test fixtures with "${ALLOW_SECRET_MARKER}"`;
    io.stderr(`bulwark-secrets scan: ${verdict} (${report.skipped.length} skipped).\n`);
    return report.findings.length === 0 ? 0 : 1;
  }

  checkArity(command, rest.length);

  if (command === 'keygen') {
    const [file] = rest;
    if (file === undefined) throw new UsageError('keygen needs a file');
    const handle = await open(resolve(io.cwd, file), 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('base64')}\n`);
    } finally {
      await handle.close();
    }
    io.stdout(`wrote a new 32-byte key to ${file}\n`);
    return 0;
  }

  const storePath = values.store ?? io.env.BULWARK_SECRETS_STORE;
  if (storePath === undefined || storePath === '') throw new UsageError('no store: pass --store <path> or set BULWARK_SECRETS_STORE');
  const passphraseFrom = (variable: string): StoreKey => {
    const value = io.env[variable];
    if (value === undefined || value === '') throw new UsageError(`variable ${variable} is not set`);
    return { passphrase: value };
  };
  const keys: StoreKey[] = [];
  if (values['key-file'] !== undefined) keys.push({ keyFile: resolve(io.cwd, values['key-file']) });
  else keys.push(passphraseFrom(values['passphrase-env'] ?? 'BULWARK_SECRETS_PASSPHRASE'));
  for (const f of values['old-key-file'] ?? []) keys.push({ keyFile: resolve(io.cwd, f) });
  for (const v of values['old-passphrase-env'] ?? []) keys.push(passphraseFrom(v));
  if (command === 'rekey') {
    if (values['new-key-file'] !== undefined) keys.unshift({ keyFile: resolve(io.cwd, values['new-key-file']) });
    else if (values['new-passphrase-env'] !== undefined) keys.unshift(passphraseFrom(values['new-passphrase-env']));
    else throw new UsageError('rekey needs --new-key-file <path> or --new-passphrase-env <VAR>');
  }
  const storeFile = resolve(io.cwd, storePath);
  // Only set and rotate make a store: reading or rekeying a path that holds none is a mistyped path,
  // not an empty store (rekey would write a new one there).
  if ((command === 'get' || command === 'list' || command === 'rekey') && !existsSync(storeFile)) {
    throw new Error(`no store at ${storeFile}: check --store or BULWARK_SECRETS_STORE (set and rotate create one)`);
  }
  const store = encryptedFileStore({ path: storeFile, keys, ...kdfOption(values.kdf, values['kdf-cost']) });

  const needName = (): string => {
    const [name] = rest;
    if (name === undefined) throw new UsageError(`${command} needs a secret name`);
    return name;
  };
  const readValue = async (): Promise<string> => {
    const file = values['from-file'];
    if (file === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) {
      io.stderr('Reading the value from stdin; end it with Ctrl-D. The terminal shows what you type: prefer piping it in.\n');
    }
    const text = file === undefined ? await readAll(io.stdin) : await readAll((await open(resolve(io.cwd, file))).createReadStream());
    const value = stripTrailingNewline(text);
    if (value === '') throw new UsageError('the value is empty');
    return value;
  };

  switch (command) {
    case 'set': {
      const name = needName();
      const version = await store.set(name, await readValue());
      io.stdout(`${name} ${version}\n`);
      return 0;
    }
    case 'get': {
      const name = needName();
      const secret = await store.get(name, values.version);
      if (values.reveal === true) io.stdout(`${secret.reveal()}\n`);
      else {
        const info = (await store.describe()).find((s) => s.name === name);
        const history = info?.versions.map((v) => v.version).join(', ') ?? '';
        io.stdout(`${name} ${secret.version} ${secret} (versions: ${history}; add --reveal to print the value)\n`);
      }
      return 0;
    }
    case 'list': {
      for (const s of await store.describe()) {
        const current = s.versions.at(-1)!;
        io.stdout(`${s.name}\t${current.version}\tkey ${current.keyId}\t${new Date(current.createdAt).toISOString()}\t${s.versions.length} version(s)\n`);
      }
      return 0;
    }
    case 'rotate': {
      const name = needName();
      const given = values.stdin === true || values['from-file'] !== undefined ? await readValue() : undefined;
      const secret = await store.rotate(name, given);
      io.stdout(values.reveal === true ? `${secret.reveal()}\n` : `${name} ${secret.version}\n`);
      return 0;
    }
    case 'rekey': {
      const result = await store.rekey();
      io.stdout(`re-encrypted ${result.reencrypted} version(s) under key ${result.keyId}; removed key(s): ${result.removedKeyIds.join(', ') || 'none'}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** How many arguments each command takes after its name (`scan`: any number). */
const ARITY: Readonly<Record<string, number>> = { set: 1, get: 1, rotate: 1, keygen: 1, list: 0, rekey: 0 };

/** Refuses arguments a command does not take, without repeating them: one may be a value typed in the wrong place. */
function checkArity(command: string, given: number): void {
  const arity = ARITY[command];
  if (arity === undefined || given <= arity) return;
  const takes = arity === 0 ? 'no arguments' : `one argument, ${command === 'keygen' ? 'the file' : 'the secret name'}`;
  const extra = `${given - arity} more given, not shown`;
  const why = command === 'set' || command === 'rotate' ? '; a value is read from stdin or --from-file, never from an argument (other users can see arguments in ps)' : '';
  throw new UsageError(`${command} takes ${takes} (${extra})${why}`);
}

function kdfOption(kdf: string | undefined, cost: string | undefined): { kdf?: KdfOptions } {
  if (kdf === undefined && cost === undefined) return {};
  const n = cost === undefined ? undefined : Number(cost);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`--kdf-cost must be an integer, got ${JSON.stringify(cost)}`);
  if (kdf === 'argon2id') return { kdf: { algorithm: 'argon2id', ...(n === undefined ? {} : { memoryKiB: n }) } };
  if (kdf === 'scrypt' || kdf === undefined) return { kdf: { algorithm: 'scrypt', ...(n === undefined ? {} : { cost: n }) } };
  throw new UsageError(`--kdf must be scrypt or argon2id, got ${JSON.stringify(kdf)}`);
}
