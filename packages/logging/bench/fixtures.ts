// What every logger of the benchmarks writes and where: shared by logging.bench.ts and memory-burst.ts.
import { Writable } from 'node:stream';
import type { LoggerOptions as PinoOptions } from 'pino';

/**
 * Where every logger writes: a Writable that turns each line into UTF-8 bytes, as a file or a
 * socket does before the write, and drops them, synchronously. Without the encoding, a logger that
 * builds its line by concatenation would never pay for joining the pieces, which any real write does.
 */
export const nullWritable = (): Writable =>
  new Writable({
    decodeStrings: true,
    write(_chunk: Buffer, _encoding, done) {
      done();
    },
  });

/**
 * The same facts for every logger: a request line with a header that must not be logged, and an
 * upstream URL long enough (and percent-encoded) that ours searches it for the registered value.
 */
export const requestFields = {
  status: 200,
  durationMs: 12,
  path: '/v1/validate/email',
  upstream: 'https://api.example.com/v1/validate/email?address=ada%40example.com&checks=mx%2Csmtp',
  // bulwark-allow-secret: a made-up credential for the redaction path
  headers: { authorization: 'Bearer sk_live_4f9a8b7c6d5e', 'user-agent': 'bench/1.0' },
};

export const REQUEST_ID = 'req-6f1c2a';

/** The revealed value ours registers and searches for in every string (also in the header above). */
export const SECRET = 'sk_live_4f9a8b7c6d5e'; // bulwark-allow-secret: made up

/**
 * pino writing the line ours writes: the same keys (`timestamp` as an ISO string, `level` as its
 * name, `message`, `service`) and, with `redact`, the same header replaced by the same censor.
 */
export const pinoOptions = (redact: boolean): PinoOptions => ({
  level: 'info',
  base: { service: 'bench' },
  messageKey: 'message',
  formatters: { level: (label) => ({ level: label }) },
  timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
  ...(redact ? { redact: { paths: ['headers.authorization'], censor: '[REDACTED]' } } : {}),
});
