// Counts the secret values in what the processes wrote: a leaked key is a finding however it got there.

/** How many times any of `secrets` occurs in `texts`. */
export function countSecrets(texts: readonly string[], secrets: ReadonlySet<string>): number {
  let found = 0;
  for (const text of texts) {
    for (const secret of secrets) {
      if (secret.length < 8) continue;
      let at = text.indexOf(secret);
      while (at >= 0) {
        found++;
        at = text.indexOf(secret, at + secret.length);
      }
    }
  }
  return found;
}
