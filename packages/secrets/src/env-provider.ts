import { readFile } from 'node:fs/promises';
import { expectFunction, expectName, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import { stripTrailingNewline, toEnvName } from './internal/names.js';
import { describeReadFailure } from './internal/read-failure.js';
import { Secret } from './secret.js';
import { SecretProviderFailedError } from './secret-provider-failed-error.js';
import type { SecretProvider, SecretVersions } from './secret-provider.js';

/** Options of {@link envProvider}. */
export interface EnvProviderOptions {
  /** Prepended to every variable name: with `APP_`, secret `DB_PASSWORD` is read from `APP_DB_PASSWORD`. @default '' */
  readonly prefix?: string;
  /** The variables to read: an object of name → string, such as `process.env`. Checked when the provider is made. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Suffix of the variable that names a file holding the value, the container convention
   * (`DB_PASSWORD_FILE=/run/secrets/db_password`). Empty string turns it off.
   * @default '_FILE'
   */
  readonly fileSuffix?: string;
  /** Maps a secret name to a variable name (before the prefix). @default `stripe.apiKey` → `STRIPE_API_KEY` */
  readonly mapName?: (name: string) => string;
  /** Provider name in errors and events. @default 'envProvider' */
  readonly name?: string;
}

const ENV_PROVIDER_OPTIONS = knownOptions<EnvProviderOptions>('envProvider()', {
  prefix: [],
  env: [],
  fileSuffix: [],
  mapName: [],
  name: [],
});

/**
 * An `env` that is not an object of strings would answer `undefined` for every name, as if no
 * variable were set. Values are never shown: an `env` in the wrong place may be a secret itself.
 */
function checkEnv(env: unknown): void {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw invalidOption('env', env, 'an object of variables, name → string (such as process.env, the default)', { redact: true });
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && typeof value !== 'string') throw invalidOption(`env.${key}`, value, 'a string or undefined', { redact: true });
  }
}

/**
 * Reads secrets from environment variables, with an optional prefix, and from files named by
 * `NAME_FILE` variables (Docker and Kubernetes images use this to keep values out of the
 * environment). An empty variable counts as unset. Setting both `NAME` and `NAME_FILE` is an
 * error, not a silent choice; so is a `NAME_FILE` naming a file that cannot be read or is empty
 * (the message gives the path, never the content).
 *
 * @example
 * ```ts
 * const env = envProvider({ prefix: 'MYAPP_' }); // secret 'STRIPE_KEY' ← MYAPP_STRIPE_KEY or MYAPP_STRIPE_KEY_FILE
 * ```
 */
export function envProvider(options: EnvProviderOptions = {}): SecretProvider {
  expectOptions('options', options, ENV_PROVIDER_OPTIONS);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const fileSuffix = options.fileSuffix ?? '_FILE';
  if (typeof fileSuffix !== 'string') throw invalidOption('fileSuffix', fileSuffix, 'a string');
  const mapName = options.mapName ?? toEnvName;
  expectFunction('mapName', mapName);
  const providerName = options.name ?? 'envProvider';
  expectName(providerName);
  if (options.env !== undefined) checkEnv(options.env);
  const env = options.env ?? process.env;

  return {
    name: providerName,
    async fetch(name: string): Promise<SecretVersions | undefined> {
      const variable = prefix + mapName(name);
      const direct = env[variable];
      const fileVariable = fileSuffix === '' ? undefined : variable + fileSuffix;
      const file = fileVariable === undefined ? undefined : env[fileVariable];
      const hasDirect = direct !== undefined && direct !== '';
      const hasFile = file !== undefined && file !== '';
      if (hasDirect && hasFile) {
        throw new SecretProviderFailedError(providerName, name, `both ${variable} and ${fileVariable} are set; set only one.`, {
          transient: false,
        });
      }
      if (hasDirect) return { current: new Secret(direct, { name }) };
      if (!hasFile) return undefined;
      let text: string;
      try {
        text = stripTrailingNewline(await readFile(file, 'utf8'));
      } catch (error) {
        // The path is not a secret (the variable names a file), and the reader needs it to spot a typo.
        throw new SecretProviderFailedError(providerName, name, `cannot read ${file} (named by ${fileVariable}): ${describeReadFailure(error)}.`, {
          cause: error,
        });
      }
      // A set NAME_FILE means the value is meant to come from that file: an empty one is a failure
      // to report, not "not set" (which would send the reader looking for a variable that is there).
      if (text.trim() === '') {
        throw new SecretProviderFailedError(
          providerName,
          name,
          `the file ${file} named by ${fileVariable} is ${text === '' ? 'empty' : 'blank (only whitespace)'}; expected the secret's value in it.`,
        );
      }
      return { current: new Secret(text, { name }) };
    },
    async list(): Promise<readonly string[]> {
      const names: string[] = [];
      for (const [key, value] of Object.entries(env)) {
        if (!key.startsWith(prefix) || value === undefined || value === '') continue;
        const bare = key.slice(prefix.length);
        names.push(fileSuffix !== '' && bare.endsWith(fileSuffix) ? bare.slice(0, -fileSuffix.length) : bare);
      }
      return [...new Set(names)].sort();
    },
  };
}
