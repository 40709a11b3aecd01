// What the two example runners share (README and docs blocks, JSDoc @example blocks): a folder of
// example modules type-checked the way a user's project would check them — plain `strict`, Node's
// module rules, Node's types, none of the repository's extra flags.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const TSC = join(repoRoot, 'node_modules', '.bin', 'tsc');

/** One example, as the module written to disk. */
export interface ExampleModule {
  readonly file: string;
  readonly code: string;
}

/**
 * Writes `examples` into `home` (emptied first) with a plain strict tsconfig, type-checks them in one
 * `tsc` run and returns each file's error lines (files without errors are absent). `home` must be
 * a folder whose node_modules resolve the packages the examples import.
 */
export function typeCheckStrict(home: string, examples: readonly ExampleModule[]): Map<string, string[]> {
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2023', noEmit: true, types: ['node'] }, include: ['*.ts'] }),
  );
  // `export {}` makes each file a module, so top-level await and names stay local to it.
  for (const e of examples) writeFileSync(e.file, `${e.code}\nexport {};\n`);
  const errors = new Map<string, string[]>();
  const tsc = spawnSync(TSC, ['-p', home], { encoding: 'utf8' });
  let current: string | undefined;
  for (const line of `${tsc.stdout}${tsc.stderr}`.split('\n')) {
    const file = /^(\S+\.ts)\(\d+,\d+\)/.exec(line)?.[1];
    if (file !== undefined) current = join(home, file.replace(/^.*[\\/]/, ''));
    else if (!/^\s/.test(line)) current = undefined; // a continuation line is indented
    if (current === undefined || line.trim() === '') continue;
    errors.set(current, [...(errors.get(current) ?? []), line]);
  }
  if (tsc.error) throw new Error(`could not run ${TSC}: ${tsc.error.message}`);
  return errors;
}
