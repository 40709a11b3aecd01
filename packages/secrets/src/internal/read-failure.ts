const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/**
 * Why a file could not be read, in words and with the errno code (`no such file (ENOENT)`), so a
 * reader sees the cause without looking the code up. Never quotes the error's message.
 */
export function describeReadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return error instanceof Error ? `failed (${error.name})` : 'failed';
  const words = WORDS[code];
  return words === undefined ? `failed (${code})` : `${words} (${code})`;
}
