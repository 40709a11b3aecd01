// The toolkit's naming and lifecycle rule (CONTRIBUTING, "Names and lifecycle"), checked on every
// package: each error class and its code mirror each other and come with their guard; everything
// that holds a resource closes with `close(): Promise<void>` and `Symbol.asyncDispose`.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as breaker from '@bulwark/breaker';
import * as cachePackage from '@bulwark/cache';
import * as core from '@bulwark/core';
import * as http from '@bulwark/http';
import * as logging from '@bulwark/logging';
import * as ratelimit from '@bulwark/ratelimit';
import * as retry from '@bulwark/retry';
import * as secrets from '@bulwark/secrets';
import * as telemetry from '@bulwark/telemetry';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, test } from 'vitest';

const packages: Record<string, Record<string, unknown>> = { breaker, cache: cachePackage, core, http, logging, ratelimit, retry, secrets, telemetry };
const root = fileURLToPath(new URL('../../../packages/', import.meta.url));

/** `CircuitOpenError` → `CIRCUIT_OPEN`; a bare noun keeps its suffix: `HttpError` → `HTTP_ERROR`. */
function codeOf(className: string, code: string): string {
  const words = className.replace(/Error$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return code === `${words}_ERROR` ? code : words;
}

/** Every error class a package declares, with the code it declares, read from its sources. */
function errorClasses(pkg: string): Array<{ name: string; code: string; file: string }> {
  const found: Array<{ name: string; code: string; file: string }> = [];
  const dir = join(root, pkg, 'src');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.test'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/export class (\w+) extends BulwarkError \{\s*readonly code = '(\w+)'/g)) {
      found.push({ name: m[1]!, code: m[2]!, file });
    }
  }
  return found;
}

describe('errors: the class mirrors its code', () => {
  test.each(Object.keys(packages))('%s', (pkg) => {
    for (const { name, code, file } of errorClasses(pkg)) {
      expect(codeOf(name, code), `${name} in ${file}`).toBe(code);
      expect(file, name).toBe(`${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
      const exported = packages[pkg]!;
      expect(typeof exported[name], `${name} is exported`).toBe('function');
      expect(typeof exported[`is${name}`], `is${name} is exported`).toBe('function');
    }
  });

  test('every error class a package exports is one of those read from its sources', () => {
    for (const [pkg, exported] of Object.entries(packages)) {
      const classes = Object.entries(exported)
        .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof core.BulwarkError)
        .map(([name]) => name)
        .sort();
      expect(classes, pkg).toEqual(errorClasses(pkg).map((c) => c.name).sort());
    }
  });

  test('every package but logging declares its errors this way', () => {
    const counted = Object.keys(packages).filter((pkg) => errorClasses(pkg).length > 0);
    expect(counted.sort()).toEqual(['breaker', 'cache', 'core', 'http', 'ratelimit', 'retry', 'secrets', 'telemetry']);
  });
});

describe('lifecycle: what holds a resource closes with close(): Promise<void> and Symbol.asyncDispose', () => {
  test('each closes, twice without harm, and is `await using`-disposable', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'bulwark-conventions-'));
    const provider = new MeterProvider();
    const holders: Record<string, () => { close(): Promise<void>; [Symbol.asyncDispose](): Promise<void> }> = {
      cache: () => cachePackage.cache(),
      secretManager: () => secrets.secretManager({ providers: secrets.memoryProvider() }),
      directoryProvider: () => secrets.directoryProvider({ path: mount, watch: true }),
      chainProviders: () => secrets.chainProviders(secrets.memoryProvider()),
      createLogger: () => logging.createLogger({ service: 'conventions', env: {}, destination: { write: () => {} } }),
      policyMetrics: () => telemetry.policyMetrics(provider.getMeter('conventions')),
      health: () => telemetry.health(),
    };
    for (const [factory, make] of Object.entries(holders)) {
      const holder = make();
      const closing = holder.close();
      expect(closing, factory).toBeInstanceOf(Promise);
      await closing;
      await holder.close();
      const disposing = make()[Symbol.asyncDispose]();
      expect(disposing, `${factory}: Symbol.asyncDispose`).toBeInstanceOf(Promise);
      await disposing;
      {
        await using _held = make();
      }
    }
    await provider.shutdown();
    rmSync(mount, { recursive: true, force: true });
  });
});
