import assert from 'node:assert/strict';
import { createLogger, registerSecretValue, withLogContext } from '@bulwark/logging';
import { pino } from 'pino';
import winston from 'winston';
import { REQUEST_ID, SECRET, nullWritable, pinoOptions, requestFields } from './fixtures.ts';

// Shape: BenchSuite[] from @bulwark/test-utils.
//
// What each case does for every line, all writing to the same kind of null Writable, which encodes
// each line to bytes and drops them (fixtures.ts):
// - @bulwark/logging: `info` inside `withLogContext({ requestId })` (the context looked up per line),
//   default redaction by name (the `authorization` header becomes `[REDACTED]`) and one registered
//   secret value searched for, raw and in every encoded form the README lists, in every string and
//   field name; through winston's Logger to its transport.
// - pino, same redaction: the same line (checked below), the request id bound in a child (pino has
//   no context that follows awaits), `redact` replacing the same header with the same censor. pino
//   has nothing like the registered-value search, so that work is ours alone.
// - pino, no redaction: the same line with the header left in: less work than ours.
// - winston 3: `format.combine(timestamp(), json())`, a Stream transport, the request id passed
//   with the call, no redaction.
const BATCH = 1_000;

registerSecretValue(SECRET);
const ours = (destination: { write(line: string): unknown }) =>
  createLogger({ service: 'bench', level: 'info', destination, floodControl: false });
const plainWinston = (stream: NodeJS.WritableStream) =>
  winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'bench' },
    transports: [new winston.transports.Stream({ stream })],
  });
const pinoChild = (redact: boolean, stream: NodeJS.WritableStream) => pino(pinoOptions(redact), stream).child({ requestId: REQUEST_ID });

const ctx = { requestId: REQUEST_ID };
const winstonFields = { requestId: REQUEST_ID, ...requestFields };

// Every logger writes the same fields; only the redaction differs, as described above.
{
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) };
  const stream = Object.assign(nullWritable(), { write: (line: string | object) => Boolean(lines.push(String(line))) });
  withLogContext(ctx, () => ours(sink).info('request handled', requestFields));
  pinoChild(true, stream).info(requestFields, 'request handled');
  pinoChild(false, stream).info(requestFields, 'request handled');
  const w = plainWinston(stream);
  w.info('request handled', winstonFields);
  await new Promise((resolve) => setImmediate(resolve));
  const [mine, redactingPino, pinoLine, winstonLine] = lines.map((line) => {
    const { timestamp, ...rest } = JSON.parse(line) as Record<string, unknown>;
    assert.match(String(timestamp), /^\d{4}-\d\d-\d\dT/);
    return rest;
  });
  const unredacted = { ...mine, headers: requestFields.headers };
  assert.deepEqual(redactingPino, mine);
  assert.deepEqual(pinoLine, unredacted);
  assert.deepEqual(winstonLine, unredacted);
}

const bulwark = ours(nullWritable());

// A call below the level touches nothing: not the message function, not a field. Both loggers put an
// empty function where a disabled level's method is, which the JIT inlines to nothing, so the
// dropped-call suite measures the loop itself; the empty function beside them shows that floor.
{
  let touched = 0;
  const fields = Object.defineProperty({}, 'probe', { enumerable: true, get: () => ++touched });
  bulwark.debug(() => String(++touched), fields);
  assert.equal(touched, 0);
}
const empty = { debug: (_message: string, _fields?: object): void => {} };
const winstonLogger = plainWinston(nullWritable());
const pinoRedacting = pinoChild(true, nullWritable());
const pinoPlain = pinoChild(false, nullWritable());

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const oursBatch = (): void =>
  withLogContext(ctx, () => {
    for (let i = 0; i < BATCH; i++) bulwark.info('request handled', requestFields);
  });
const winstonBatch = (): void => {
  for (let i = 0; i < BATCH; i++) winstonLogger.info('request handled', winstonFields);
};
const pinoRedactingBatch = (): void => {
  for (let i = 0; i < BATCH; i++) pinoRedacting.info(requestFields, 'request handled');
};
const pinoPlainBatch = (): void => {
  for (let i = 0; i < BATCH; i++) pinoPlain.info(requestFields, 'request handled');
};

const OURS = '@bulwark/logging info (context + redaction + secret search)';
const PINO_REDACTING = 'pino info (child, redact: same header)';
const PINO_PLAIN = 'pino info (child, no redaction)';
const WINSTON = 'winston 3 JSON info (no redaction)';

const suites = [
  {
    // The event loop turns after every 1,000 lines, as in a server between requests: what each
    // logger defers per line (winston: a setImmediate) runs, and its objects can be collected.
    suite: 'one JSON line with context + redaction; event loop turns every 1000 lines',
    cases: [
      { name: OURS, peer: null, batch: BATCH, fn: async () => { oursBatch(); await turn(); } },
      { name: PINO_REDACTING, peer: 'pino', batch: BATCH, fn: async () => { pinoRedactingBatch(); await turn(); } },
      { name: PINO_PLAIN, peer: 'pino', batch: BATCH, fn: async () => { pinoPlainBatch(); await turn(); } },
      { name: WINSTON, peer: 'winston', batch: BATCH, fn: async () => { winstonBatch(); await turn(); } },
    ],
  },
  {
    // Synchronous batches back to back: a burst, where whatever a logger defers piles up.
    suite: 'one JSON line with context + redaction; a synchronous burst',
    cases: [
      { name: OURS, peer: null, batch: BATCH, fn: oursBatch },
      { name: PINO_REDACTING, peer: 'pino', batch: BATCH, fn: pinoRedactingBatch },
      { name: PINO_PLAIN, peer: 'pino', batch: BATCH, fn: pinoPlainBatch },
      { name: WINSTON, peer: 'winston', batch: BATCH, fn: winstonBatch },
    ],
  },
  {
    // Level info, a debug call with the same fields: nothing may be written or built. Both loggers'
    // calls are inlined to nothing; 'an empty function' is that floor (see the check above).
    suite: 'a debug call below level info',
    cases: [
      {
        name: '@bulwark/logging debug (dropped)',
        peer: null,
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) bulwark.debug('cache state', requestFields);
        },
      },
      {
        name: 'pino debug (dropped)',
        peer: 'pino',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) pinoRedacting.debug(requestFields, 'cache state');
        },
      },
      {
        name: 'an empty function, called the same way (the floor)',
        peer: 'baseline',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) empty.debug('cache state', requestFields);
        },
      },
      {
        name: 'winston 3 debug (dropped)',
        peer: 'winston',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) winstonLogger.debug('cache state', winstonFields);
        },
      },
    ],
  },
];

export default suites;
