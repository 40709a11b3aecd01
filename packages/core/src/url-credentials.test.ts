import { describe, expect, test } from 'vitest';
import { isCredentialName, redactUrlUserInfo } from './index.js';

// The whole table of shapes runs through @bulwark/logging's and @bulwark/telemetry's output
// (@bulwark/test-utils' URL_CREDENTIAL_CASES); these are the user-information cases at the source.
describe('redactUrlUserInfo', () => {
  test.each([
    // bulwark-allow-secret: a made-up credential, the subject of the table
    ['postgres://app:s3cret@db:5432/orders', 'postgres://***@db:5432/orders'],
    ['https://ghp_abc123@github.com/org/repo.git', 'https://***@github.com/org/repo.git'],
    // bulwark-allow-secret: a made-up credential, the subject of the table
    ['postgres://user:ab#cd@db:5432/app', 'postgres://***@db:5432/app'],
    // bulwark-allow-secret: a made-up credential, the subject of the table
    ['a redis://:p/w@h1:6379 b https://x.example/?to=g@h', 'a redis://***@h1:6379 b https://x.example/?to=g@h'],
    ['http://localhost:3000/users?email=ada@example.com', 'http://localhost:3000/users?email=ada@example.com'],
    ['mailto:bob@example.com', 'mailto:bob@example.com'],
    ['no url at all', 'no url at all'],
  ])('%s', (text, expected) => {
    expect(redactUrlUserInfo(text, '***')).toBe(expected);
  });

  test('a text it leaves alone is returned as it is', () => {
    const text = 'https://api.example.com/v1?page=2';
    expect(redactUrlUserInfo(text, '***')).toBe(text);
  });
});

describe('isCredentialName', () => {
  test.each(['password', 'sslpassword', 'api_key', 'apiKey', 'X-Api-Key', 'access_token', 'X-Amz-Signature', 'sig', 'db.password'])('%s names a credential', (name) => {
    expect(isCredentialName(name)).toBe(true);
  });
  test.each(['monkey', 'keyspace', 'TokenExpiredError', 'page', 'email'])('%s does not', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });
});
