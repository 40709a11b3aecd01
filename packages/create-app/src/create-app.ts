import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateAppError } from './create-app-error.js';
import { packageNameProblem } from './package-name.js';

/** What {@link createApp} takes. */
export interface CreateAppOptions {
  /** The folder to create the service in, resolved against `cwd`. It must not exist, or be empty. */
  readonly directory: string;
  /** The new service's package name. @default the folder's name */
  readonly name?: string;
  /** The folder `directory` is resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** The template to copy. @default the template packed into this package */
  readonly templateDir?: string;
}

/** What {@link createApp} made. */
export interface CreatedApp {
  /** The new service's folder, absolute. */
  readonly directory: string;
  /** Its package name. */
  readonly name: string;
  /** Every file written, relative to `directory`, sorted. */
  readonly files: readonly string[];
}

/** The template's placeholder for the service's name, in its README. */
export const NAME_PLACEHOLDER = '__APP_NAME__';

/**
 * The template's placeholder for the name the service calls itself (the package name without its
 * scope), in any file and file name: `SERVICE_NAME`'s default, its messages' prefix, its auth realm,
 * its Prometheus rules. The reference gateway's own name, `validation-gateway`, is replaced by it
 * when the template is built.
 */
export const SERVICE_NAME_PLACEHOLDER = '__SERVICE_NAME__';

// npm never packs these names, so the template ships them without their dot.
const DOT_FILES: Readonly<Record<string, string>> = { gitignore: '.gitignore', npmrc: '.npmrc' };

const DEFAULT_TEMPLATE = fileURLToPath(new URL('../template', import.meta.url));

/**
 * Copies the service template (the reference gateway, with its tests and Prometheus rules, on the
 * published Bulwark packages) into a new folder, named `name`. Every check runs before anything is
 * written: a name npm would refuse, a folder that already holds files or a missing template throw a
 * {@link CreateAppError} and leave the disk as it was.
 *
 * @example
 * ```ts fragment
 * const app = createApp({ directory: 'my-service' });
 * // then: cd my-service && npm install && npm test
 * ```
 */
export function createApp(options: CreateAppOptions): CreatedApp {
  if (typeof options.directory !== 'string' || options.directory.trim() === '') {
    throw new CreateAppError('INVALID_NAME', `Expected \`directory\` to be a folder name such as "my-service", got ${JSON.stringify(options.directory)}.`);
  }
  const directory = resolve(options.cwd ?? process.cwd(), options.directory);
  const name = options.name ?? basename(directory);
  const problem = packageNameProblem(name);
  if (problem !== undefined) {
    const from = options.name === undefined ? ` (the folder's name; pass a name of its own with --name)` : '';
    throw new CreateAppError('INVALID_NAME', `Expected \`name\` to be a valid npm package name such as "my-service", got ${JSON.stringify(name)}${from}: ${problem}.`);
  }
  const templateDir = options.templateDir ?? DEFAULT_TEMPLATE;
  if (!existsSync(join(templateDir, 'package.json'))) {
    throw new CreateAppError('TEMPLATE_MISSING', `Expected \`templateDir\` to be a service template with a package.json, got ${JSON.stringify(templateDir)}.`);
  }
  const existed = existsSync(directory);
  if (existed && (!statSync(directory).isDirectory() || readdirSync(directory).length > 0)) {
    throw new CreateAppError('DIRECTORY_NOT_EMPTY', `Expected \`directory\` to be a new or empty folder, got ${JSON.stringify(directory)}, which ${statSync(directory).isDirectory() ? 'already holds files' : 'is a file'}. Choose another folder; nothing was written.`);
  }

  try {
    mkdirSync(directory, { recursive: true });
    cpSync(templateDir, directory, { recursive: true });
    const serviceName = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    const files = listFiles(directory).map((file) => {
      const text = readFileSync(join(directory, file), 'utf8');
      if (text.includes(SERVICE_NAME_PLACEHOLDER)) writeFileSync(join(directory, file), text.replaceAll(SERVICE_NAME_PLACEHOLDER, serviceName));
      const own = basename(file);
      const renamed = join(file, '..', DOT_FILES[own] ?? own.replaceAll(SERVICE_NAME_PLACEHOLDER, serviceName));
      if (renamed !== file) renameSync(join(directory, file), join(directory, renamed));
      return renamed;
    });
    const manifestPath = join(directory, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, name }, null, 2)}\n`);
    const readme = join(directory, 'README.md');
    if (existsSync(readme)) writeFileSync(readme, readFileSync(readme, 'utf8').replaceAll(NAME_PLACEHOLDER, name));
    return { directory, name, files: files.sort() };
  } catch (error) {
    // Leave the disk as it was: the folder made, or the empty folder found.
    if (existed) for (const entry of readdirSync(directory)) rmSync(join(directory, entry), { recursive: true, force: true });
    else rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}
