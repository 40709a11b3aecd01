/** Matches names against grants: exact names, or prefixes written `prefix*`. */
export function compileGrants(grants: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const g of grants) {
    if (g.endsWith('*')) prefixes.push(g.slice(0, -1));
    else exact.add(g);
  }
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}
