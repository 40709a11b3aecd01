#!/usr/bin/env node
// The command line: `validation-gateway` serves (configured by the environment, see the README);
// `validation-gateway hash-key` reads a key on stdin and prints its entry for GATEWAY_API_KEYS.
import { isSecretLoadFailedError } from '@bulwark/secrets';
import { loadConfig } from './config.js';
import { isConfigError } from './config-error.js';
import { startGateway } from './gateway.js';
import { hashApiKey } from './services/caller-authenticator.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'hash-key') {
    const key = await readStdin();
    if (key.length < 16) {
      process.stderr.write('validation-gateway: hash-key reads a key of at least 16 characters on stdin (never as an argument).\n');
      return 2;
    }
    const id = argv[1] ?? 'client';
    const scopes = (argv[2] ?? 'validate').split(',');
    process.stdout.write(`${JSON.stringify({ id, scopes, sha256: hashApiKey(key).toString('hex') })}\n`);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write('Usage: validation-gateway            (serve; configured by the environment)\n       validation-gateway hash-key [ID] [SCOPES]   (key on stdin)\n');
    return argv[0] === '--help' ? 0 : 2;
  }
  let gateway;
  try {
    gateway = await startGateway(loadConfig(process.env));
  } catch (error) {
    if (isConfigError(error) || isSecretLoadFailedError(error)) {
      process.stderr.write(`validation-gateway: ${(error as Error).message}\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    // Option errors name the option and what was expected, never a secret's value; others are named by class.
    const reason = code === 'EADDRINUSE' ? 'the port is in use; set PORT (0 takes a free one)' : error instanceof TypeError ? error.message : ((error as Error).name ?? 'error');
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
