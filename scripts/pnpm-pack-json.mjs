// `pnpm pack --json` prints a package's prepack output (create-app builds its template there)
// before the JSON; this reads the JSON that follows.

/** The JSON object `pnpm pack --json` printed, past whatever the package's prepack printed first. */
export function pnpmPackJson(stdout) {
  const start = stdout.search(/^\{/m);
  if (start === -1) throw new Error(`pnpm pack printed no JSON:\n${stdout.slice(-2_000)}`);
  return JSON.parse(stdout.slice(start));
}
