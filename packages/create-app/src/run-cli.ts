import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './create-app.js';
import { isCreateAppError } from './create-app-error.js';

const USAGE = `Usage: npm create @bulwark/app <folder> [-- --name <package-name>]

Copies the Bulwark reference service (an email-validation gateway with its tests and Prometheus
rules) into <folder>, a new or empty folder, named <package-name> (default: the folder's name).`;

/** Where {@link runCli} writes. */
export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * The `create-app` command: `create-app <folder> [--name <package-name>]`. Resolves with the exit
 * code (0 on success, 1 on bad input, nothing written).
 */
export function runCli(args: readonly string[], output: CliOutput, cwd: string = process.cwd()): number {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (parsed.values.help === true) {
    output.out(USAGE);
    return 0;
  }
  const [directory, ...extra] = parsed.positionals;
  if (directory === undefined || extra.length > 0) {
    output.err(`Expected one folder name, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}.\n\n${USAGE}`);
    return 1;
  }
  try {
    const app = createApp({ directory, cwd, ...(parsed.values.name === undefined ? {} : { name: parsed.values.name }) });
    const where = relative(cwd, app.directory) || '.';
    output.out(`Created ${app.name} in ${app.directory} (${app.files.length} files).\n\nNext:\n  cd ${where}\n  npm install\n  npm test\n  npm start   # configured by the environment: see README.md`);
    return 0;
  } catch (error) {
    if (!isCreateAppError(error)) throw error;
    output.err(`create-app: ${error.message}`);
    return 1;
  }
}
