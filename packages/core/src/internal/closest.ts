/**
 * Edit distance between two words (insertions, deletions, substitutions and swaps of two
 * neighbours each count 1), compared case-insensitively: `ttl` is 2 from `ttlMs`.
 */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let before: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return previous[y.length]!;
}

/**
 * The known word a mistyped `word` most likely meant, or undefined when none is close: one that
 * lists `word` among its aliases (names other libraries give it), else the nearest by
 * {@link editDistance} within about a third of the longer word's length (at least 2).
 */
export function closest(word: string, known: Readonly<Record<string, readonly string[]>>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const [name, aliases] of Object.entries(known)) {
    if (aliases.some((alias) => alias.toLowerCase() === lower)) return name;
    const distance = editDistance(word, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(Math.max(word.length, best.length) / 3)) ? best : undefined;
}
