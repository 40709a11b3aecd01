import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
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
    for (const path of ['.gitignore', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts', 'src/composition-root.ts', 'src/main.ts', 'src/services/validation-service.test.ts', 'rules/my-service.rules.yml', 'rules/my-service.rules.test.yml', 'test/rules.test.ts', 'test/service.test.ts', 'test/redis.test.ts']) {
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
    // Keys follow the service's name, so two services made from the template never share them.
    expect(readme).toContain('| `REDIS_PREFIX` | `${SERVICE_NAME}:` |');
    expect(readme).not.toContain('<!-- configuration -->');
  });

  test('takes an existing empty folder, and a name other than the folder\'s', () => {
    mkdirSync(join(work, 'empty'));
    const app = createApp({ directory: 'empty', name: '@acme/validator', cwd: work, templateDir });
    expect((JSON.parse(readFileSync(join(app.directory, 'package.json'), 'utf8')) as { name: string }).name).toBe('@acme/validator');
    // The service calls itself by the package name without its scope: a file name, a log field.
    expect(app.files).toContain('rules/validator.rules.yml');
    expect(readFileSync(join(app.directory, 'src', 'config.ts'), 'utf8')).toContain("{ name: 'SERVICE_NAME', default: 'validator',");
  });

  test('the service calls itself by its own name wherever the gateway says "validation-gateway"', () => {
    // The template holds the placeholder, not the gateway's name.
    expect(readFileSync(join(templateDir, 'src', 'config.ts'), 'utf8')).toContain("default: '__SERVICE_NAME__'");
    const app = createApp({ directory: 'acme-checker', cwd: work, templateDir });
    const read = (path: string): string => readFileSync(join(app.directory, path), 'utf8');
    for (const file of app.files) {
      expect(read(file), file).not.toMatch(/validation-gateway|__SERVICE_NAME__|__APP_NAME__/);
    }
    expect(app.files).toEqual(expect.arrayContaining(['rules/acme-checker.rules.yml', 'rules/acme-checker.rules.test.yml']));
    expect(read('rules/acme-checker.rules.yml')).toContain('- name: acme-checker-slo');
    expect(read('test/rules.test.ts')).toContain("rules('acme-checker.rules.test.yml')");
    expect(read('src/main.ts')).toContain("process.stderr.write(`acme-checker: could not start: ${reason}\\n`);");
    expect(read('README.md')).toContain('| `SERVICE_NAME` | `acme-checker` |');
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
    // bulwark-allow-secret: a fake password, to show it stays out of the message
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

// The service's own build, on the workspace's packages and compiler (its sources differ from the
// gateway's by its name): what it says of itself, run.
const gatewayModules = join(workspaceRoot, 'apps', 'validation-gateway', 'node_modules');
const gatewayDist = join(workspaceRoot, 'apps', 'validation-gateway', 'dist');
const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** What the test uses of the service's index. */
interface BuiltService {
  loadConfig(env: Readonly<Record<string, string>>): { readonly serviceName: string; readonly redisPrefix: string };
  composeGateway(
    config: unknown,
    options: { env: Readonly<Record<string, string>>; logDestination: { write(line: string): void }; fetch: typeof fetch },
  ): Promise<{ resolve<T>(token: symbol): T }>;
  buildServer(container: unknown): {
    inject(request: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: unknown }): Promise<{ statusCode: number; headers: Record<string, unknown>; json(): unknown }>;
    close(): Promise<unknown>;
  };
  hashApiKey(key: string): Buffer;
  readonly TOKENS: { readonly Resources: symbol };
}

describe.skipIf(!existsSync(tsc) || !existsSync(join(gatewayDist, 'main.js')))('a service made as acme-checker, built (needs the workspace\'s build)', () => {
  test('names itself acme-checker in its messages, its log lines, its health report and its auth realm', async () => {
    const app = createApp({ directory: 'built', name: 'acme-checker', cwd: work, templateDir });
    // The gateway's dependencies stand in for `npm install`.
    mkdirSync(join(app.directory, 'node_modules', '@types'), { recursive: true });
    for (const entry of readdirSync(gatewayModules).filter((e) => !e.startsWith('.'))) symlinkSync(join(gatewayModules, entry), join(app.directory, 'node_modules', entry), 'dir');
    symlinkSync(join(workspaceRoot, 'node_modules', '@types', 'node'), join(app.directory, 'node_modules', '@types', 'node'), 'dir');
    const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: app.directory, encoding: 'utf8', timeout: 60_000 });
    expect(built.stdout + built.stderr).toBe('');
    expect(built.status).toBe(0);

    const refused = spawnSync(process.execPath, ['dist/main.js'], { cwd: app.directory, env: { PORT: 'http' }, encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('acme-checker: Expected `PORT` to be an integer from 0 to 65535, got "http".\n');

    const service = (await import(join(app.directory, 'dist', 'index.js'))) as BuiltService;
    expect(service.loadConfig({}).serviceName).toBe('acme-checker');
    // Two services from one template, on one Redis: each under its own name unless told otherwise.
    const gateway = (await import(join(gatewayDist, 'index.js'))) as Pick<BuiltService, 'loadConfig'>;
    expect([service.loadConfig({}).redisPrefix, gateway.loadConfig({}).redisPrefix]).toEqual(['acme-checker:', 'validation-gateway:']);
    expect(service.loadConfig({ REDIS_PREFIX: 'shared:' }).redisPrefix).toBe('shared:');
    const caller = 'acme-checker-caller-key-0123456789'; // bulwark-allow-secret: test fixture
    const lines: string[] = [];
    const container = await service.composeGateway(service.loadConfig({ UPSTREAM_URL: 'http://127.0.0.1:9' }), {
      env: {
        UPSTREAM_API_KEY: 'acme-checker-upstream-key-0123', // bulwark-allow-secret: test fixture
        GATEWAY_API_KEYS: JSON.stringify([{ id: 'acme', scopes: ['validate'], sha256: service.hashApiKey(caller).toString('hex') }]),
      },
      logDestination: { write: (line: string) => lines.push(line) },
      fetch: async () => Response.json({ valid: true, reason: 'accepted', disposable: false, domain: 'acme.dev' }),
    });
    const app2 = service.buildServer(container);
    try {
      const anonymous = await app2.inject({ method: 'POST', url: '/v1/validate/email', payload: { email: 'ada@acme.dev' } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="acme-checker"');
      // The realm is SERVICE_NAME at run time, not a name written into the source.
      const renamed = await service.composeGateway(service.loadConfig({ SERVICE_NAME: 'acme-billing' }), {
        env: { UPSTREAM_API_KEY: 'acme-checker-upstream-key-0123', GATEWAY_API_KEYS: JSON.stringify([{ id: 'acme', scopes: ['validate'], sha256: service.hashApiKey(caller).toString('hex') }]) }, // bulwark-allow-secret: test fixture
        logDestination: { write: () => {} },
        fetch,
      });
      const renamedApp = service.buildServer(renamed);
      try {
        const refused = await renamedApp.inject({ method: 'POST', url: '/v1/validate/email', payload: { email: 'ada@acme.dev' } });
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="acme-billing"');
      } finally {
        await renamedApp.close();
        await renamed.resolve<{ closeAll(): Promise<void> }>(service.TOKENS.Resources).closeAll();
      }
      expect((await app2.inject({ method: 'GET', url: '/health/ready' })).json()).toMatchObject({ serviceId: 'acme-checker' });
      const answered = await app2.inject({ method: 'POST', url: '/v1/validate/email', headers: { authorization: `Bearer ${caller}` }, payload: { email: 'ada@acme.dev' } });
      expect(answered.json()).toMatchObject({ source: 'upstream', domain: 'acme.dev' });
    } finally {
      await app2.close();
      await container.resolve<{ closeAll(): Promise<void> }>(service.TOKENS.Resources).closeAll();
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ service: 'acme-checker' });
  }, 90_000);
});

// The README's "Try it" commands, run as written (bash), on the gateway's build: the template's
// sources are the gateway's, so its build stands in for `npm run build`.
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** The bodies of the ```sh blocks under `## <section>`. */
function shBlocks(markdown: string, section: string): string[] {
  const body = new RegExp(`^## ${section}\\n([\\s\\S]*?)(?=^## )`, 'm').exec(markdown)?.[1] ?? '';
  return [...body.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1]!.trim());
}

describe.skipIf(!hasCurl || !existsSync(join(gatewayDist, 'main.js')))("the service's README, Try it (needs curl and the gateway's build)", () => {
  test('its commands, as written, make a caller key, start the service, answer a curl with that key, and stop on SIGTERM', async () => {
    const app = createApp({ directory: 'try-it', cwd: work, templateDir });
    symlinkSync(gatewayDist, join(app.directory, 'dist'), 'dir');
    const readme = readFileSync(join(app.directory, 'README.md'), 'utf8');
    expect(readFileSync(join(app.directory, '.gitignore'), 'utf8')).toMatch(/^caller\.key$/m);
    const [setUp, call] = shBlocks(readme, 'Try it');
    expect(setUp).toBeDefined();
    expect(call).toBeDefined();
    const lines = setUp!.split('\n');
    const serve = lines.pop()!;
    // Only what a shell has, on this Node; PORT=0 rather than 8080, which may be taken here. Every
    // bash gets no stdin: given a socket (a pipe here), Debian's bash reads bashrc, as under sshd.
    const env = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? work, PORT: '0' };

    const prepared = spawnSync('bash', ['-euc', lines.join('\n')], { cwd: app.directory, env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(prepared.stderr).toBe('');
    expect(prepared.status).toBe(0);

    // One simple command: bash runs it in its own process, so the signal below reaches the service.
    const service = spawn('bash', ['-c', serve], { cwd: app.directory, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    service.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    service.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        service.stdout.on('data', () => {
          const match = /"event":"listening".*?"port":(\d+)/.exec(out);
          if (match !== null) resolve(Number(match[1]));
        });
        void exited.then((code) => reject(new Error(`The service exited (${code}) before listening: ${err}${out}`)));
      });
      expect(call).toContain('http://127.0.0.1:8080/');
      const called = spawnSync('bash', ['-euc', call!.replace('127.0.0.1:8080', `127.0.0.1:${port}`)], { cwd: app.directory, env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(called.status).toBe(0);
      const answer = JSON.parse(called.stdout) as Record<string, unknown>;
      expect(answer).toMatchObject({ email: 'ada@example.com', domain: 'example.com' });
      expect(typeof answer.valid).toBe('boolean');

      service.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('"event":"stopped"');
    } finally {
      // Whatever the README started and the signal did not stop.
      try {
        process.kill(-service.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 60_000);
});
