import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

// The README's Usage example, verbatim between the markers (only the import specifier differs).
// example:start
import { envProvider, memoryProvider, secretManager } from './index.js';

// Providers, highest precedence first. In production: envProvider(), directoryProvider({ path:
// '/run/secrets' }), encryptedFileStore({ ... }). Here the environment is passed in explicitly.
const vault = secretManager({
  providers: [
    envProvider({ prefix: 'MYAPP_', env: { MYAPP_STRIPE_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' } }),
    memoryProvider({ secrets: { DATABASE_URL: 'postgres://db.internal:5432/app' } }),
  ],
  ttlMs: 60_000,
});
const audit: string[] = [];
vault.onAudit((e) => audit.push(`${e.who} ${e.action} ${e.secret} ${e.version}`));

// At start-up: every secret present and well-formed, or one error that lists every problem.
const config = await vault.load({
  stripeKey: { name: 'STRIPE_KEY', pattern: /^sk_(test|live)_/ },
  database: { name: 'DATABASE_URL', parse: (s: string) => new URL(s) },
});
const line = `connecting to ${config.database.reveal().host} with ${config.stripeKey}`;
// line === 'connecting to db.internal:5432 with [REDACTED]'

// A component that may read only its own secret. On a 401/403 it retries once with the rotated
// (or previous) key; the providers are asked once however many calls failed together.
const billing = vault.scope({ who: 'billing', names: ['STRIPE_KEY'] });
const upstream = async (headers: Record<string, string>) => ({ status: headers.authorization?.startsWith('Bearer sk_') ? 200 : 401 });
const response = await billing.withSecret('STRIPE_KEY', async (key) => {
  const res = await upstream({ authorization: `Bearer ${key.reveal()}` });
  if (res.status === 401 || res.status === 403) throw Object.assign(new Error('refused'), { status: res.status });
  return res;
});
// response.status === 200; audit holds 'billing read STRIPE_KEY v1' and no value
vault.close();
// example:end

test('the README usage example runs and says what it shows', () => {
  expect(line).toBe('connecting to db.internal:5432 with [REDACTED]');
  expect(response.status).toBe(200);
  expect(audit).toContain('billing read STRIPE_KEY v1');
  expect(audit.join('\n')).not.toContain('sk_test_4eC39');
});

test('the README shows this example verbatim', () => {
  const source = readFileSync(new URL('./readme-example.test.ts', import.meta.url), 'utf8');
  const example = source.split('// example:start\n')[1]!.split('// example:end')[0]!.replace("from './index.js'", "from '@bulwark/secrets'");
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`ts test\n${example}\`\`\``);
});
