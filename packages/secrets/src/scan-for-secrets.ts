import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { expectInteger, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import { SECRET_RULES } from './internal/secret-rules.js';

/** The marker that exempts a line (and the line after it) from the scan. */
export const ALLOW_SECRET_MARKER = 'bulwark-allow-secret';
/** The allow-list file looked for at the scan root. */
export const ALLOW_LIST_FILE = '.bulwark-secrets-allow';

/** One credential-shaped string found. The preview shows where and what kind, never the value. */
export interface SecretFinding {
  /** Path relative to the scan root, with `/` separators. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** Rule id, such as `aws-access-key-id`. */
  readonly rule: string;
  /** What the rule looks for. */
  readonly description: string;
  /** A masked rendering, such as `AKIA******** (20 chars)`. */
  readonly preview: string;
}

/** Options of {@link scanForSecrets}. */
export interface ScanOptions {
  /** The repository root: files are listed with `git ls-files` there (tracked, and untracked but not ignored). @default process.cwd() */
  readonly cwd?: string;
  /** Limit the scan to these files or directories (relative to `cwd`). @default the whole repository */
  readonly paths?: readonly string[];
  /** An allow-list file of path globs to skip (one per line, `#` comments). @default `.bulwark-secrets-allow` in `cwd`, if present */
  readonly allowListFile?: string;
  /** Larger files are not scanned (they are reported in `skipped`). @default 2_000_000 */
  readonly maxFileBytes?: number;
}

/** What {@link scanForSecrets} found. */
export interface ScanReport {
  readonly findings: readonly SecretFinding[];
  /** Files read and scanned. */
  readonly filesScanned: number;
  /** Files not scanned, and why (binary, too large, allow-listed). */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

/**
 * Finds credential-shaped strings in one text: API keys (AWS `AKIA…`, GitHub `ghp_…` and
 * `github_pat_…`, Stripe `sk_live_…`, Slack `xox…`, Google `AIza…`), PEM private keys, bearer
 * tokens, connection strings with a password (`postgres://user:pass@host`, but not
 * `redis://127.0.0.1:6379`), and high-entropy values assigned to names such as `api_key` or
 * `client_secret`. A line holding `bulwark-allow-secret` (and the line right after it) is skipped.
 *
 * @example
 * ```ts
 * scanText('const key = "AKIA…"; // bulwark-allow-secret (test fixture)');
 * ```
 */
export function scanText(text: string, file = '<text>'): SecretFinding[] {
  // A Buffer from readFileSync is the likely mistake; what it holds may be a secret, so it is not shown.
  if (typeof text !== 'string') throw invalidOption('text', text, "a string (read a file with readFileSync(path, 'utf8'))", { redact: true });
  if (typeof file !== 'string') throw invalidOption('file', file, 'a string naming where the text came from');
  const findings: SecretFinding[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes(ALLOW_SECRET_MARKER) || (i > 0 && lines[i - 1]!.includes(ALLOW_SECRET_MARKER))) continue;
    const taken: Array<[number, number]> = [];
    for (const rule of SECRET_RULES) {
      rule.pattern.lastIndex = 0;
      for (let m = rule.pattern.exec(line); m !== null; m = rule.pattern.exec(line)) {
        const start = m.index;
        const end = start + m[0].length;
        if (taken.some(([s, e]) => start < e && end > s)) continue;
        if (rule.accept !== undefined && !rule.accept(m)) continue;
        taken.push([start, end]);
        findings.push({ file, line: i + 1, column: start + 1, rule: rule.id, description: rule.description, preview: rule.preview(m) });
      }
    }
  }
  return findings;
}

const globToRegExp = (glob: string): RegExp => {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
};

async function listFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...paths], {
      cwd,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout.split('\0').filter((f) => f !== '');
  } catch {
    // Not a git checkout: walk the paths, leaving out what is never committed.
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(join(cwd, dir), { withFileTypes: true })) {
        if (['.git', 'node_modules', 'dist'].includes(entry.name)) continue;
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) await walk(rel);
        else if (entry.isFile()) out.push(rel);
      }
    };
    for (const p of paths.length === 0 ? [''] : paths) {
      const s = await stat(join(cwd, p));
      if (s.isDirectory()) await walk(p.replace(/\/$/, ''));
      else out.push(p);
    }
    return out;
  }
}

const SCAN_OPTIONS = knownOptions<ScanOptions>('scanForSecrets()', {
  cwd: [],
  paths: [],
  allowListFile: [],
  maxFileBytes: [],
});

/**
 * Scans the files of a repository (`git ls-files`: tracked files, plus untracked ones git does not
 * ignore, so a credential is caught before it is committed; outside git, a directory walk) for
 * credential-shaped strings, for a CI check. Test fixtures are marked with
 * `bulwark-allow-secret` on the line (or the line before), or listed by path glob in
 * `.bulwark-secrets-allow`. The report never contains a matched value.
 *
 * @example
 * ```ts
 * const repoRoot = process.cwd();
 * const { findings } = await scanForSecrets({ cwd: repoRoot });
 * if (findings.length > 0) process.exitCode = 1;
 * ```
 */
export async function scanForSecrets(options: ScanOptions = {}): Promise<ScanReport> {
  expectOptions('options', options, SCAN_OPTIONS);
  const cwd = options.cwd ?? process.cwd();
  const maxFileBytes = options.maxFileBytes ?? 2_000_000;
  expectInteger('maxFileBytes', maxFileBytes, { min: 1 });
  const allowFile = options.allowListFile ?? join(cwd, ALLOW_LIST_FILE);
  const allow: RegExp[] = [];
  if (options.allowListFile !== undefined || existsSync(allowFile)) {
    for (const raw of (await readFile(allowFile, 'utf8')).split(/\r?\n/)) {
      const line = raw.trim();
      if (line !== '' && !line.startsWith('#')) allow.push(globToRegExp(line));
    }
  }
  const files = await listFiles(cwd, options.paths ?? []);
  const findings: SecretFinding[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let filesScanned = 0;
  for (const file of files) {
    const rel = file.split(sep).join('/');
    if (allow.some((re) => re.test(rel))) {
      skipped.push({ file: rel, reason: 'allow-listed' });
      continue;
    }
    let bytes: Buffer;
    try {
      const s = await stat(join(cwd, file));
      if (!s.isFile()) continue;
      if (s.size > maxFileBytes) {
        skipped.push({ file: rel, reason: `larger than ${maxFileBytes} bytes` });
        continue;
      }
      bytes = await readFile(join(cwd, file));
    } catch (error) {
      // Listed by git but deleted in the working tree: nothing to scan.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (bytes.subarray(0, 8000).includes(0)) {
      skipped.push({ file: rel, reason: 'binary' });
      continue;
    }
    filesScanned++;
    findings.push(...scanText(bytes.toString('utf8'), relative(cwd, join(cwd, rel)).split(sep).join('/')));
  }
  return { findings, filesScanned, skipped };
}
