// Builds the service template from the reference gateway, when the package is packed: the
// gateway's code, unit tests and Prometheus rules, the template's own files (README, tsconfigs,
// vitest config, an end-to-end test on a stand-in upstream), and a package.json whose Bulwark
// dependencies are the versions being published. Nothing is committed twice: the template folder
// exists only in the tarball.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SERVICE_NAME_PLACEHOLDER } from '../create-app.js';

/** Gateway files the template takes, relative to the gateway's folder. */
const FROM_GATEWAY = [
  'src',
  'rules',
  'test/rules.test.ts',
  'test/support/fakes.ts',
  'test/support/gateway-process.ts',
  'test/support/promtool.ts',
  'test/support/upstream-stand-in.ts',
];
/** Development tools the template's tests and build need, at the workspace's versions. */
const TOOLS = ['typescript', 'vitest', '@types/node'];
const CONFIGURATION_MARKER = '<!-- configuration -->';

export interface BuildTemplateOptions {
  /** The workspace's root folder. */
  readonly workspaceRoot: string;
  /** The folder to write the template to (emptied first). */
  readonly outDir: string;
  /** The template's own files (README, tsconfigs, …). */
  readonly filesDir: string;
}

type Manifest = Record<string, unknown> & {
  name: string;
  version: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** Writes the template to `outDir`; returns its package.json. */
export function buildTemplate(options: BuildTemplateOptions): Manifest {
  const gatewayDir = join(options.workspaceRoot, 'apps', 'validation-gateway');
  const gateway = readJson(join(gatewayDir, 'package.json'));
  // The name the gateway calls itself (its command's): in the template, the new service's own.
  const ownName = typeof gateway.bin === 'object' ? Object.keys(gateway.bin)[0] : undefined;
  if (ownName === undefined) throw new Error(`${join(gatewayDir, 'package.json')} has no \`bin\` naming the gateway's command; the template cannot tell which name to give each new service.`);
  const published = new Map<string, Manifest>();
  for (const dir of readdirSync(join(options.workspaceRoot, 'packages'))) {
    const path = join(options.workspaceRoot, 'packages', dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = readJson(path);
    if (manifest.private !== true) published.set(manifest.name, manifest);
  }

  const dependencies = Object.fromEntries(
    Object.entries(gateway.dependencies ?? {}).map(([name, spec]) => {
      if (!spec.startsWith('workspace:')) return [name, spec];
      const target = published.get(name);
      if (target === undefined) throw new Error(`The gateway depends on ${name} (${spec}), which is not a published package of the workspace; the template cannot name a version for it.`);
      return [name, `^${target.version}`];
    }),
  );
  const root = readJson(join(options.workspaceRoot, 'package.json'));
  const devDependencies = Object.fromEntries(
    TOOLS.map((name) => {
      const spec = root.devDependencies?.[name];
      if (spec === undefined || spec.startsWith('workspace:')) throw new Error(`The workspace's package.json has no devDependency ${name}, which the template's tests need.`);
      return [name, spec];
    }),
  );
  const manifest: Manifest = {
    name: 'service',
    version: '0.1.0',
    private: true,
    description: 'An email-validation service in front of a third-party API, started from the Bulwark reference gateway.',
    type: 'module',
    engines: gateway.engines,
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json',
      start: 'node dist/main.js',
      test: 'tsc -p tsconfig.json && tsc -p tsconfig.build.json && vitest run',
    },
    dependencies,
    devDependencies,
  };

  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(options.outDir, { recursive: true });
  for (const path of FROM_GATEWAY) {
    const to = join(options.outDir, path);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(gatewayDir, path), to, { recursive: true });
  }
  for (const file of listFiles(options.outDir)) {
    const text = readFileSync(file, 'utf8');
    if (text.includes(ownName)) writeFileSync(file, text.replaceAll(ownName, SERVICE_NAME_PLACEHOLDER));
    if (basename(file).includes(ownName)) renameSync(file, join(dirname(file), basename(file).replaceAll(ownName, SERVICE_NAME_PLACEHOLDER)));
  }
  cpSync(options.filesDir, options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // The service's README carries the gateway's configuration table (its tests check every variable is listed).
  const readmePath = join(options.outDir, 'README.md');
  const gatewayReadme = readFileSync(join(gatewayDir, 'README.md'), 'utf8');
  const configuration = /^## Configuration\n[\s\S]*?(?=^## )/m.exec(gatewayReadme)?.[0];
  if (configuration === undefined) throw new Error(`${join(gatewayDir, 'README.md')} has no "## Configuration" section for the template's README.`);
  const readme = readFileSync(readmePath, 'utf8');
  if (!readme.includes(CONFIGURATION_MARKER)) throw new Error(`${readmePath} has no ${CONFIGURATION_MARKER} marker.`);
  writeFileSync(readmePath, readme.replace(CONFIGURATION_MARKER, configuration.trimEnd().replaceAll(ownName, SERVICE_NAME_PLACEHOLDER)));
  return manifest;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}
