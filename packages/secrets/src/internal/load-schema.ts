import { expectOptions, quote, type BulwarkError } from '@bulwark/core';
import { REDACTED, Secret } from '../secret.js';
import { checkSecretField, type LoadedSecrets, type SecretSchema } from '../secret-schema.js';
import { SecretLoadFailedError, type SecretSchemaProblem } from '../secret-load-failed-error.js';
import { isSecretParseError } from '../secret-parse-error.js';

/**
 * Reads every field of `schema` at once through `get` and checks each (`minLength`, `pattern`,
 * `parse`); rejects with one `SecretLoadFailedError` listing every problem, in the schema's order.
 * `who` names the reader in a denial.
 */
export async function loadSchema<const S extends SecretSchema>(schema: S, get: (name: string) => Promise<Secret<string>>, who: string): Promise<LoadedSecrets<S>> {
  expectOptions('schema', schema);
  const fields = Object.entries(schema);
  for (const [field, spec] of fields) checkSecretField(`schema.${field}`, spec);
  const problems: SecretSchemaProblem[] = [];
  const out: Record<string, Secret<unknown> | undefined> = {};
  await Promise.all(
    fields.map(async ([field, spec]) => {
      const key = spec.name;
      let secret: Secret<string>;
      try {
        secret = await get(key);
      } catch (error) {
        const e = error as BulwarkError;
        if (e.code === 'SECRET_NOT_FOUND') {
          if (spec.optional === true) out[field] = undefined;
          else problems.push({ field, key, problem: 'missing', detail: 'not set in any provider' });
        } else if (e.code === 'SECRET_ACCESS_DENIED') {
          problems.push({ field, key, problem: 'denied', detail: `${quote(who)} may not read it` });
        } else {
          problems.push({ field, key, problem: 'unavailable', detail: e.message ?? 'a provider failed' });
        }
        return;
      }
      const raw = secret.reveal();
      if (spec.minLength !== undefined && raw.length < spec.minLength) {
        problems.push({ field, key, problem: 'malformed', detail: `shorter than ${spec.minLength} characters` });
        return;
      }
      if (spec.pattern !== undefined) {
        spec.pattern.lastIndex = 0;
        if (!spec.pattern.test(raw)) {
          problems.push({ field, key, problem: 'malformed', detail: `does not match ${spec.pattern}` });
          return;
        }
      }
      if (spec.parse !== undefined) {
        try {
          const parsed = spec.parse(raw);
          out[field] = new Secret(parsed, { name: key, version: secret.version });
        } catch (error) {
          // A parser's own words are shown only when it says they may be; the value never is.
          const detail = isSecretParseError(error)
            ? raw.length === 0
              ? error.message
              : error.message.replaceAll(raw, REDACTED)
            : `parse threw ${error instanceof Error ? error.name : typeof error}`;
          problems.push({ field, key, problem: 'malformed', detail });
        }
        return;
      }
      out[field] = secret;
    }),
  );
  if (problems.length > 0) {
    const order = new Map(fields.map(([field], i) => [field, i]));
    problems.sort((a, b) => order.get(a.field)! - order.get(b.field)!);
    throw new SecretLoadFailedError(problems);
  }
  return out as LoadedSecrets<S>;
}
