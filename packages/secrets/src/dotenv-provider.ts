import { parse } from 'dotenv';
import { expectBoolean, expectFunction, expectName, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import { FileCache } from './internal/file-cache.js';
import { toEnvName } from './internal/names.js';
import { Secret } from './secret.js';
import { SecretProviderFailedError } from './secret-provider-failed-error.js';
import type { SecretProvider, SecretVersions } from './secret-provider.js';

/** Options of {@link dotenvProvider}. */
export interface DotenvProviderOptions {
  /** Path of the `.env` file. */
  readonly path: string;
  /** Fail (instead of holding nothing) when the file does not exist. @default false */
  readonly required?: boolean;
  /** Prepended to every key looked up. @default '' */
  readonly prefix?: string;
  /** Maps a secret name to a key in the file (before the prefix). @default `stripe.apiKey` → `STRIPE_API_KEY` */
  readonly mapName?: (name: string) => string;
  /** Provider name in errors and events. @default 'dotenvProvider' */
  readonly name?: string;
}

const DOTENV_PROVIDER_OPTIONS = knownOptions<DotenvProviderOptions>('dotenvProvider()', {
  path: [],
  required: [],
  prefix: [],
  mapName: [],
  name: [],
});

/**
 * Reads secrets from a `.env` file, parsed by `dotenv`'s `parse` (quotes, multi-line values,
 * comments). The file is never loaded into `process.env`; it is parsed again only when it changes
 * on disk. An empty value counts as unset.
 *
 * @example
 * ```ts
 * const local = dotenvProvider({ path: '.env.local' });
 * ```
 */
export function dotenvProvider(options: DotenvProviderOptions): SecretProvider {
  expectOptions('options', options, DOTENV_PROVIDER_OPTIONS);
  if (typeof options?.path !== 'string' || options.path === '') throw invalidOption('path', options?.path, 'a file path');
  const required = options.required ?? false;
  expectBoolean('required', required);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const mapName = options.mapName ?? toEnvName;
  expectFunction('mapName', mapName);
  const providerName = options.name ?? 'dotenvProvider';
  expectName(providerName);
  const path = options.path;
  const cache = new FileCache((text) => parse(text), 1);

  const load = async (name: string | undefined): Promise<Record<string, string>> => {
    let parsed: Record<string, string> | undefined;
    try {
      parsed = await cache.read(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretProviderFailedError(providerName, name, `cannot read ${path} (${code}).`, { cause: error });
    }
    if (parsed === undefined && required) {
      throw new SecretProviderFailedError(providerName, name, `${path} does not exist.`, { transient: false });
    }
    return parsed ?? {};
  };

  return {
    name: providerName,
    async fetch(name: string): Promise<SecretVersions | undefined> {
      const value = (await load(name))[prefix + mapName(name)];
      return value === undefined || value === '' ? undefined : { current: new Secret(value, { name }) };
    },
    async list(): Promise<readonly string[]> {
      return Object.keys(await load(undefined))
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length))
        .sort();
    },
  };
}
