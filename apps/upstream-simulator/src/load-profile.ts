import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { resolveProfile, type Profile, type ProfileInput } from './profile.js';

/**
 * Reads a profile from a JSON file and checks it (see {@link resolveProfile}); errors name the file.
 * Its name defaults to the file's base name, and a relative `keys.file` is taken from the profile's
 * folder.
 *
 * @example
 * ```ts
 * const profile = await loadProfile('profiles/flaky.json'); // { "extends": "mild", "errors": { "rate": 0.3 } }
 * const sim = await startSimulator({ profile });
 * ```
 */
export async function loadProfile(file: string): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError('profile', file, 'a readable JSON file', { message: `Cannot read the profile ${file} (${code}).` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('profile', file, 'a JSON file', { message: `${file}: not valid JSON (${(error as Error).message}).` });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('profile', json, 'a JSON object', { source: file });
  }
  const profile = resolveProfile(json as ProfileInput, { source: file, name: basename(file, extname(file)) });
  const keysFile = profile.keys.file === null ? null : resolve(dirname(file), profile.keys.file);
  return { ...profile, keys: { ...profile.keys, file: keysFile } };
}
