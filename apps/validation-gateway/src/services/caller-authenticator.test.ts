import { describe, expect, test } from 'vitest';
import { FakeApiKeys } from '../../test/support/fakes.js';
import { container } from '../di.js';
import { TOKENS } from '../tokens.js';
import { CallerAuthenticator, hashApiKey, presentedKey } from './caller-authenticator.js';

const ALICE = 'alice-key-0123456789abcdef'; // bulwark-allow-secret: a made-up test key
const ADMIN = 'admin-key-0123456789abcdef'; // bulwark-allow-secret: a made-up test key

function setUp() {
  const keys = new FakeApiKeys([
    { id: 'alice', scopes: ['validate'], sha256: hashApiKey(ALICE) },
    { id: 'ops', scopes: ['validate', 'admin'], sha256: hashApiKey(ADMIN) },
  ]);
  const scope = container.createChildContainer();
  scope.register(TOKENS.ApiKeys, { useValue: keys });
  scope.register(TOKENS.Authenticator, { useClass: CallerAuthenticator });
  return { keys, auth: scope.resolve<CallerAuthenticator>(TOKENS.Authenticator) };
}

describe('CallerAuthenticator', () => {
  test('knows a key by its digest and checks its scope', async () => {
    const { auth } = setUp();
    expect(await auth.authenticate(ALICE, 'validate')).toEqual({ ok: true, caller: { id: 'alice', scopes: ['validate'] } });
    expect(await auth.authenticate(ALICE, 'admin')).toMatchObject({ ok: false, problem: 'forbidden' });
    expect(await auth.authenticate(ADMIN, 'admin')).toMatchObject({ ok: true, caller: { id: 'ops' } });
  });

  test('refuses a missing or unknown key without saying which part was wrong', async () => {
    const { auth } = setUp();
    expect(await auth.authenticate(undefined, 'validate')).toMatchObject({ ok: false, problem: 'unauthenticated' });
    const wrong = await auth.authenticate(`${ALICE}x`, 'validate');
    expect(wrong).toMatchObject({ ok: false, problem: 'unauthenticated' });
    expect(JSON.stringify(wrong)).not.toContain(ALICE);
  });

  test('sees a rotation of the key list at the next request', async () => {
    const { auth, keys } = setUp();
    const next = 'alice-key-rotated-0123456789'; // bulwark-allow-secret: a made-up test key
    keys.records = [{ id: 'alice', scopes: ['validate'], sha256: hashApiKey(next) }];
    expect(await auth.authenticate(ALICE, 'validate')).toMatchObject({ ok: false });
    expect(await auth.authenticate(next, 'validate')).toMatchObject({ ok: true });
  });

  test('reads the key from a bearer token or X-Api-Key', () => {
    expect(presentedKey({ authorization: `Bearer ${ALICE}` })).toBe(ALICE);
    expect(presentedKey({ authorization: `bearer  ${ALICE} ` })).toBe(ALICE);
    expect(presentedKey({ 'x-api-key': ALICE })).toBe(ALICE);
    expect(presentedKey({ authorization: `Basic ${ALICE}` })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});
