import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { ALLOW_SECRET_MARKER, scanForSecrets, scanText } from './index.js';

// Fixtures are assembled at run time, so that this file itself holds no credential-shaped string
// except on lines carrying the marker.
const FIXTURES: Record<string, string> = {
  'aws-access-key-id': `aws_access_key_id = ${'AKIA'}IOSFODNN7EXAMPLE`,
  'github-token': `token: ${'ghp_'}${'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 36)}`,
  'github-token (fine-grained)': `GH=${'github_pat_'}11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH`,
  'stripe-live-key': `const stripe = new Stripe('${'sk_live_'}51HxYzABCdefGHIjkl0123456789');`,
  'slack-token': `SLACK=${'xoxb'}-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx`,
  'google-api-key': `key=${'AIza'}SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q`,
  'private-key': `${'-----BEGIN'} RSA PRIVATE KEY-----`,
  'bearer-token': `curl -H "Authorization: ${'Bearer'} eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dQw4w9WgXcQ"`,
  'connection-string-password': `DATABASE_URL=postgres://app:${'Sup3r'}S3cretPw@db.internal:5432/app`,
  'connection-string-password (a / in the password)': `REDIS_URL=redis://:${'Sup3r'}S3cret/Pw@cache.internal:6379`,
  'connection-string-password (a # in the password)': `DB=mysql://app:${'Sup3r'}S3cret#Pw@db.internal/orders`,
  'generic-secret-assignment': `const api_key = "${'Zx9'}Qm2Lp8Rt5Vn3Wk7Yh4";`,
};

describe('scanText', () => {
  test.each(Object.entries(FIXTURES))('finds %s', (label, line) => {
    const findings = scanText(line, 'fixture.txt');
    expect(findings.map((f) => f.rule)).toEqual([label.split(' ')[0]]);
    expect(findings[0]!.line).toBe(1);
  });

  test('never prints the matched value', () => {
    for (const line of Object.values(FIXTURES)) {
      const secretPart = line.match(/(?:IOSFODNN7EXAMPLE|a1B2c3D4e5F6|0123456789_abc|HxYzABCdef|AbCdEfGhIj|SyA1b2C3|dQw4w9WgXcQ|S3cretPw|Qm2Lp8Rt5)/)?.[0];
      if (secretPart === undefined) continue;
      for (const f of scanText(line)) expect(JSON.stringify(f)).not.toContain(secretPart);
    }
  });

  test.each([
    ['a Redis URL without a password', 'REDIS_URL=redis://127.0.0.1:6379'],
    ['a URL with a user but no password', 'git clone https://user@github.com/org/repo.git'],
    ['a placeholder password', 'postgres://app:${DB_PASSWORD}@db/app'],
    ['a documented placeholder', 'postgres://user:password@localhost/db'],
    ['an env lookup', 'const apiKey = process.env.API_KEY;'],
    ['a low-entropy value', 'password = "aaaaaaaaaaaaaaaaaaaa"'],
    ['an error code', "readonly code = 'SECRET_ACCESS_DENIED';"],
    ['a template bearer header', 'authorization: `Bearer ${token.reveal()}`'],
    ['a short example token', 'token: "abc"'],
    ['a port, then a path holding an @', 'see https://medium.example:443/users/@ada for more'],
    ['a port, then a query holding an @', 'GET http://localhost:3000/users?email=ada@example.com'],
    ['an IPv6 host and port, then a path holding an @', 'http://[::1]:8080/u/@ada#top'],
  ])('does not flag %s', (_label, line) => {
    expect(scanText(line)).toEqual([]);
  });

  test('text that is not a string is refused by name, without showing it', () => {
    const bytes = Buffer.from(`stripe = ${FIXTURES['stripe-live-key']!}`);
    expect(() => scanText(bytes as never)).toThrow(
      new TypeError("Expected `text` to be a string (read a file with readFileSync(path, 'utf8')), got an object (its value is not shown)."),
    );
    expect(() => scanText('x', 42 as never)).toThrow(new TypeError('Expected `file` to be a string naming where the text came from, got 42.'));
  });

  test(`a line with ${ALLOW_SECRET_MARKER} (or the line after it) is skipped`, () => {
    const key = FIXTURES['aws-access-key-id']!;
    expect(scanText(`${key} # ${ALLOW_SECRET_MARKER}`)).toEqual([]);
    expect(scanText(`# ${ALLOW_SECRET_MARKER}: test fixture\n${key}`)).toEqual([]);
    expect(scanText(`# ${ALLOW_SECRET_MARKER}\nok\n${key}`)).toHaveLength(1);
  });
});

describe('scanForSecrets', () => {
  const repo = mkdtempSync(join(tmpdir(), 'bulwark-secrets-scan-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });

  test('scans the files git tracks or would track, honours the allow-list file and reports no values', async () => {
    git('init', '-q');
    mkdirSync(join(repo, 'fixtures'));
    writeFileSync(join(repo, 'app.ts'), `const ok = 1;\n${FIXTURES['stripe-live-key']}\n`);
    writeFileSync(join(repo, 'fixtures', 'keys.json'), `{"k": "${FIXTURES['github-token']}"}`);
    writeFileSync(join(repo, 'untracked.ts'), FIXTURES['slack-token']!);
    writeFileSync(join(repo, 'ignored.log'), FIXTURES['slack-token']!);
    writeFileSync(join(repo, '.gitignore'), '*.log\n');
    writeFileSync(join(repo, 'image.bin'), Buffer.from([0, 1, 2, 3]));
    git('add', 'app.ts', 'fixtures/keys.json', 'image.bin');
    const report = await scanForSecrets({ cwd: repo });
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort()).toEqual([
      'app.ts:2:stripe-live-key',
      'fixtures/keys.json:1:github-token',
      'untracked.ts:1:slack-token',
    ]);
    expect(report.skipped).toEqual([{ file: 'image.bin', reason: 'binary' }]);
    writeFileSync(join(repo, '.bulwark-secrets-allow'), '# test fixtures\nfixtures/**\n');
    const allowed = await scanForSecrets({ cwd: repo });
    expect(allowed.findings.map((f) => f.file).sort()).toEqual(['app.ts', 'untracked.ts']);
    expect(allowed.skipped).toContainEqual({ file: 'fixtures/keys.json', reason: 'allow-listed' });
    const limited = await scanForSecrets({ cwd: repo, paths: ['fixtures'], allowListFile: join(repo, 'nothing-allowed') }).catch((e: unknown) => e);
    expect((limited as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('this repository passes its own check', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const report = await scanForSecrets({ cwd: root });
    expect(report.findings).toEqual([]);
    expect(report.filesScanned).toBeGreaterThan(50);
  });
});
