import { spawnSync } from 'node:child_process';

/** Whether `promtool` (Debian: prometheus) is on the PATH. */
export const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

/** Why promtool tests are skipped here, or `undefined` when they run (under CI they always run and fail without it). */
export const promtoolMissing = hasPromtool || process.env.CI ? undefined : 'promtool is not installed (Debian: apt-get install prometheus)';

/** Runs `promtool` with `args`, `input` on stdin; resolves with its exit status and output. */
export function promtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', [...args], { input, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}
