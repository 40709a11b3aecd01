import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertRedisAnswers } from '../template-files/test/support/redis-answers.js';
import { buildTemplate } from './internal/build-template.js';
import { createApp, isCreateAppError, packageNameProblem, runCli } from './index.js';

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const version = (dir: string): string => (JSON.parse(readFileSync(join(workspaceRoot, dir, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let templateDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'create-app-'));
  templateDir = join(work, 'template');
  buildTemplate({ workspaceRoot, outDir: templateDir, filesDir: fileURLToPath(new URL('../template-files', import.meta.url)) });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createApp', () => {
  test('copies the gateway with its tests and rules, on published versions, dot-files restored', () => {
    const app = createApp({ directory: 'my-service', cwd: work, templateDir });
    expect(app.name).toBe('my-service');
    const read = (path: string): string => readFileSync(join(app.directory, path), 'utf8');
    for (const path of ['.gitignore', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts', 'src/composition-root.ts', 'src/main.ts', 'src/services/validation-service.test.ts', 'rules/validation-gateway.rules.yml', 'rules/validation-gateway.rules.test.yml', 'test/rules.test.ts', 'test/service.test.ts', 'test/redis.test.ts']) {
      expect(app.files, path).toContain(path);
    }
    expect(existsSync(join(app.directory, 'gitignore'))).toBe(false);
    // No demo-only or benchmark parts, nothing that needs the monorepo (the gateway's own Redis tests
    // start private redis-servers through the monorepo's test-utils; the template has its own, on REDIS_URL).
    expect(app.files.some((f) => f.startsWith('bench/') || f.includes('simulator') || f.endsWith('fixture.ts') || f.endsWith('redis-shared.test.ts'))).toBe(false);
    for (const file of app.files.filter((f) => f.endsWith('.ts'))) {
      expect(read(file), file).not.toMatch(/@bulwark\/test-utils|upstream-simulator|\.\.\/\.\.\/\.\.\//);
    }

    const manifest = JSON.parse(read('package.json')) as { name: string; private: boolean; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.name).toBe('my-service');
    expect(manifest.private).toBe(true);
    expect(read('package.json')).not.toContain('workspace:');
    expect(manifest.dependencies['@bulwark/core']).toBe(`^${version('packages/core')}`);
    expect(manifest.dependencies['@bulwark/retry']).toBe(`^${version('packages/retry')}`);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@types/node', 'typescript', 'vitest']);
    expect(Object.values(manifest.devDependencies).every((spec) => /^\^?\d/.test(spec))).toBe(true);

    const readme = read('README.md');
    expect(readme.startsWith('# my-service\n')).toBe(true);
    expect(readme).toContain('| `UPSTREAM_URL` |');
    expect(readme).not.toContain('<!-- configuration -->');
  });

  test('takes an existing empty folder, and a name other than the folder\'s', () => {
    mkdirSync(join(work, 'empty'));
    const app = createApp({ directory: 'empty', name: '@acme/validator', cwd: work, templateDir });
    expect((JSON.parse(readFileSync(join(app.directory, 'package.json'), 'utf8')) as { name: string }).name).toBe('@acme/validator');
  });

  test('refuses a folder that holds files, and writes nothing', () => {
    const dir = join(work, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const error = caught(() => createApp({ directory: 'taken', cwd: work, templateDir }));
    expect(isCreateAppError(error) && error.code).toBe('DIRECTORY_NOT_EMPTY');
    expect((error as Error).message).toBe(`Expected \`directory\` to be a new or empty folder, got ${JSON.stringify(dir)}, which already holds files. Choose another folder; nothing was written.`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  test.each([
    ['My-Service', 'a name is lowercase'],
    ['_private', 'a name cannot start with "." or "_"'],
    ['my service', 'a name holds only lowercase letters, digits, "-", ".", "_" and "~"'],
    ['@acme', 'a scoped name is @scope/name'],
    ['node_modules', '"node_modules" is reserved'],
    ['x'.repeat(215), 'a name is at most 214 characters (this one is 215)'],
  ])('refuses the package name %j, naming the rule, and writes nothing', (name, rule) => {
    const error = caught(() => createApp({ directory: 'named', name, cwd: work, templateDir }));
    expect(isCreateAppError(error) && error.code).toBe('INVALID_NAME');
    expect((error as Error).message).toBe(`Expected \`name\` to be a valid npm package name such as "my-service", got ${JSON.stringify(name)}: ${rule}.`);
    expect(existsSync(join(work, 'named'))).toBe(false);
  });

  test('a folder whose name is no package name says to pass one', () => {
    const error = caught(() => createApp({ directory: 'My Service', cwd: work, templateDir }));
    expect((error as Error).message).toContain("(the folder's name; pass a name of its own with --name)");
    expect(existsSync(join(work, 'My Service'))).toBe(false);
  });

  test('a missing template is named', () => {
    const error = caught(() => createApp({ directory: 'x', cwd: work, templateDir: join(work, 'nowhere') }));
    expect(isCreateAppError(error) && error.code).toBe('TEMPLATE_MISSING');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  test('packageNameProblem accepts what npm accepts', () => {
    for (const name of ['my-service', '@acme/my.service', 'a~b', 'x1']) expect(packageNameProblem(name), name).toBeUndefined();
  });
});

describe('runCli', () => {
  const run = (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, work);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  test('without a folder: the usage, exit 1', () => {
    const result = run([]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('Expected one folder name, got none.');
    expect(result.err).toContain('Usage: npm create @bulwark/app <folder>');
  });

  test('bad input: one line naming the problem, exit 1, nothing written', () => {
    const result = run(['cli-bad', '--name', 'Bad Name']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^create-app: Expected `name` to be a valid npm package name/);
    expect(existsSync(join(work, 'cli-bad'))).toBe(false);
  });
});

describe("the service's Redis tests, with REDIS_URL set", () => {
  const listen = async (onConnection: (socket: Socket) => void = () => {}): Promise<{ server: Server; port: number }> => {
    const server = createServer(onConnection);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  };
  const closed = async (): Promise<number> => {
    const { server, port } = await listen();
    await new Promise((resolve) => server.close(resolve));
    return port;
  };

  test('check that a Redis answers before starting the instances', () => {
    const redisTest = readFileSync(join(templateDir, 'test', 'redis.test.ts'), 'utf8');
    expect(redisTest.indexOf('await assertRedisAnswers(REDIS_URL)')).toBeGreaterThan(-1);
    expect(redisTest.indexOf('await assertRedisAnswers(REDIS_URL)')).toBeLessThan(redisTest.indexOf('startGatewayProcess(env)'));
  });

  test('no Redis at REDIS_URL: one error naming the variable and the URL without its password, and what to do', async () => {
    const port = await closed();
    const error = await assertRedisAnswers(`redis://app:hunter2-secret@127.0.0.1:${port}/0`).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toBe(
      `Expected a Redis server at \`REDIS_URL\` redis://***:***@127.0.0.1:${port}/0, but connecting failed (ECONNREFUSED). Start Redis there (e.g. \`redis-server\`), or unset REDIS_URL to skip these tests.`,
    );
  });

  test('a server that never answers: refused within the deadline, not a hang', async () => {
    const { server, port } = await listen();
    try {
      await expect(assertRedisAnswers(`redis://127.0.0.1:${port}`, 100)).rejects.toThrow(/at `REDIS_URL` redis:\/\/127\.0\.0\.1:\d+, but nothing answered within 100 ms/);
    } finally {
      server.close();
    }
  });

  test('a Redis that answers PING (or asks for its password) passes', async () => {
    for (const reply of ['+PONG\r\n', '-NOAUTH Authentication required.\r\n']) {
      const { server, port } = await listen((socket) => socket.once('data', () => socket.end(reply)));
      try {
        await expect(assertRedisAnswers(`redis://127.0.0.1:${port}`)).resolves.toBeUndefined();
      } finally {
        server.close();
      }
    }
  });

  test('a URL that is not a Redis URL is named', async () => {
    await expect(assertRedisAnswers('http://127.0.0.1:6379')).rejects.toThrow('Expected a Redis server at `REDIS_URL` http://127.0.0.1:6379/, but its scheme is http: (expected redis: or rediss:).');
  });
});
