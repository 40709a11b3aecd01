#!/usr/bin/env node
// The command line: `validation-gateway` serves (configured by the environment, see the README);
// `validation-gateway hash-key` reads a key on stdin and prints its entry for GATEWAY_API_KEYS.
import { isSecretLoadFailedError } from '@bulwark/secrets';
import { loadConfig, type GatewayConfig } from './config.js';
import { ConfigError, isConfigError } from './config-error.js';
import { startGateway } from './gateway.js';
import { isCallerId, isScope } from './adapters/secret-api-key-records.js';
import { hashApiKey } from './services/caller-authenticator.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

const USAGE = 'Usage: validation-gateway            (serve; configured by the environment)\n       validation-gateway hash-key [ID] [SCOPES]   (key on stdin)';

function usage(problem: string): number {
  process.stderr.write(`validation-gateway: ${problem} (see --help)\n`);
  return 2;
}

/**
 * Why the listener could not start, as a line naming the variable at fault and its value: the
 * system's own error says `getaddrinfo ENOTFOUND` or `listen EADDRNOTAVAIL` and names neither.
 */
function listenProblem(code: string | undefined, config: GatewayConfig): { readonly message: string; readonly exitCode: number } | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return { message: new ConfigError('PORT', String(config.port), `a port free on ${config.host} (this one is in use; 0 takes a free one)`).message, exitCode: 1 };
    case 'EACCES':
      return { message: new ConfigError('PORT', String(config.port), 'a port this user may listen on (1024 or above, unless privileged)').message, exitCode: 2 };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
      return { message: new ConfigError('HOST', config.host, 'an address of this machine, such as 127.0.0.1, or 0.0.0.0 for every interface').message, exitCode: 2 };
    default:
      return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'hash-key') {
    // The entry is checked as the gateway will check it, so that it is refused here rather than at the next start.
    if (argv.length > 3) return usage(`hash-key takes an ID and SCOPES, got ${argv.length - 1} arguments (the key is read on stdin, never as an argument).`);
    const id = argv[1] ?? 'client';
    // Not quoted: a key typed where the ID goes would be printed.
    if (!isCallerId(id)) return usage(`Expected ID to be 1 to 64 letters, digits, '.', '_' or '-', got ${id.length} characters (not shown: it could be a key).`);
    const scopes = (argv[2] ?? 'validate').split(',');
    if (!scopes.every(isScope)) return usage(`Expected SCOPES to be validate, admin or validate,admin, got ${JSON.stringify(argv[2])}.`);
    const key = await readStdin();
    if (key.length < 16) {
      process.stderr.write('validation-gateway: hash-key reads a key of at least 16 characters on stdin (never as an argument).\n');
      return 2;
    }
    process.stdout.write(`${JSON.stringify({ id, scopes, sha256: hashApiKey(key).toString('hex') })}\n`);
    return 0;
  }
  if (argv.length > 0) {
    if (argv[0] === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return usage(`Unknown command ${JSON.stringify(argv[0])}.`);
  }
  let gateway;
  let config: GatewayConfig | undefined;
  try {
    config = loadConfig(process.env);
    gateway = await startGateway(config);
  } catch (error) {
    if (isConfigError(error) || isSecretLoadFailedError(error)) {
      process.stderr.write(`validation-gateway: ${(error as Error).message}\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    const listen = config === undefined ? undefined : listenProblem(code, config);
    if (listen !== undefined) {
      process.stderr.write(`validation-gateway: ${listen.message}\n`);
      return listen.exitCode;
    }
    // Option errors name the option and what was expected, never a secret's value; others are named by class.
    const reason = error instanceof TypeError ? error.message : `${(error as Error).name ?? 'error'}${code === undefined ? '' : ` (${code})`}`;
    process.stderr.write(`validation-gateway: could not start: ${reason}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await gateway.close();
  return 0;
}

// Exit as soon as everything is closed, rather than when the last idle keep-alive socket to the
// upstream times out.
process.exit(await main(process.argv.slice(2)));
