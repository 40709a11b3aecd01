// What every logger of the benchmarks writes and where: shared by logging.bench.ts and memory-burst.ts.
import { Writable } from 'node:stream';

/** A Writable that drops everything, synchronously. */
export const nullWritable = (): Writable =>
  new Writable({
    decodeStrings: false,
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** The same facts for every logger: a request line with a header that must not be logged. */
export const requestFields = {
  status: 200,
  durationMs: 12,
  path: '/v1/validate/email',
  // bulwark-allow-secret: a made-up credential for the redaction path
  headers: { authorization: 'Bearer sk_live_4f9a8b7c6d5e', 'user-agent': 'bench/1.0' },
};

export const REQUEST_ID = 'req-6f1c2a';
