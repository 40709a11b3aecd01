import { pipeline, timeout, isTimeoutError } from '@bulwark/core';
import { createFakeClock } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { chainProviders, envProvider, memoryProvider, secretManager, type SecretContext, type SecretRotatedEvent } from './index.js';

describe('policy(name)', () => {
  test('passes the secret in the context and retries once with the rotated version on 401', async () => {
    const memory = memoryProvider({ secrets: { API_KEY: 'key-1' } });
    // Without the change event, so that the manager learns of the rotation from the 401.
    const vault = secretManager({ providers: { name: 'memory', fetch: (n) => memory.fetch(n) }, clock: createFakeClock() });
    const policy = vault.policy('API_KEY');
    expect(policy.name).toBe('secretManager:API_KEY');
    await policy.execute(() => 'warm the cache');
    memory.set('API_KEY', 'key-2');
    const seen: string[] = [];
    const result = await policy.execute(async (ctx) => {
      seen.push(`${ctx.attempt}:${ctx.secret.reveal()}`);
      if (ctx.secret.reveal() !== 'key-2') throw Object.assign(new Error('Unauthorized'), { status: 401 });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['1:key-1', '1:key-2']);
    const other = await policy.executeResult(() => Promise.reject(new Error('boom')));
    expect(other.isErr() && other.error.code).toBe('OPERATION_FAILED');
    vault.close();
  });

  test('composes with core policies and honours the abort signal', async () => {
    const clock = createFakeClock();
    const vault = secretManager({ providers: memoryProvider({ secrets: { K: 'v' } }), clock });
    const guarded = pipeline(timeout(1_000, { clock }), vault.policy('K'));
    const call = guarded.execute((ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
    const settled = call.catch((e: unknown) => e);
    await clock.tickAsync(1_000);
    expect(isTimeoutError(await settled)).toBe(true);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(vault.policy('K').execute((ctx: SecretContext) => ctx.secret.reveal(), controller.signal)).rejects.toBe(reason);
    vault.close();
  });

  test('a rotation is seen even when another provider answers with the same version label', async () => {
    const env: Record<string, string | undefined> = {};
    const memory = memoryProvider({ secrets: { TOKEN: 'from-memory' } });
    const vault = secretManager({ providers: chainProviders(envProvider({ env }), memory), clock: createFakeClock() });
    const rotations: SecretRotatedEvent[] = [];
    vault.onRotated((e) => rotations.push(e));
    expect((await vault.get('TOKEN')).version).toBe('v1');
    env.TOKEN = 'from-env';
    await vault.refresh('TOKEN');
    const now = await vault.get('TOKEN');
    expect(now.reveal()).toBe('from-env');
    expect(rotations).toHaveLength(1);
    expect(now.version).not.toBe('v1');
    expect((await vault.versions('TOKEN')).previous?.reveal()).toBe('from-memory');
    vault.close();
  });
});
