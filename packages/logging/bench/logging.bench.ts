import { createLogger, registerSecretValue, withLogContext } from '@bulwark/logging';
import { pino } from 'pino';
import winston from 'winston';
import { REQUEST_ID, nullWritable, requestFields } from './fixtures.ts';

// Shape: BenchSuite[] from @bulwark/test-utils.
const SECRET = 'sk_live_4f9a8b7c6d5e'; // bulwark-allow-secret: made up

const BATCH = 1_000;

// Ours: JSON, a log context, default redaction on (the authorization header is replaced) and a
// registered secret value scanned for in every string.
registerSecretValue(SECRET);
const bulwark = createLogger({ service: 'bench', level: 'info', destination: nullWritable(), floodControl: false });

// Plain winston: JSON with a timestamp and the service as default meta; the request id passed with the call.
const plainWinston = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'bench' },
  transports: [new winston.transports.Stream({ stream: nullWritable() })],
});

// pino: JSON with an ISO timestamp, the service as base and the request id bound in a child.
const plainPino = pino({ level: 'info', base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime }, nullWritable());
const pinoRequest = plainPino.child({ requestId: REQUEST_ID });
// pino with its own redaction of the same header (fast-redact paths), for a closer comparison.
const redactingPino = pino(
  { level: 'info', base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime, redact: ['headers.authorization'] },
  nullWritable(),
).child({ requestId: REQUEST_ID });

const ctx = { requestId: REQUEST_ID };
const winstonFields = { requestId: REQUEST_ID, ...requestFields };

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const oursBatch = (): void =>
  withLogContext(ctx, () => {
    for (let i = 0; i < BATCH; i++) bulwark.info('request handled', requestFields);
  });
const winstonBatch = (): void => {
  for (let i = 0; i < BATCH; i++) plainWinston.info('request handled', winstonFields);
};
const pinoBatch = (): void => {
  for (let i = 0; i < BATCH; i++) pinoRequest.info(requestFields, 'request handled');
};
const redactingPinoBatch = (): void => {
  for (let i = 0; i < BATCH; i++) redactingPino.info(requestFields, 'request handled');
};

const suites = [
  {
    // The event loop turns after every 1,000 lines, as in a server between requests: what each
    // logger defers per line (winston: a setImmediate) runs, and its objects can be collected.
    suite: 'one JSON line with context (and redaction, for bulwark); event loop turns every 1000 lines',
    cases: [
      { name: '@bulwark/logging info (context + redaction)', peer: null, batch: BATCH, fn: async () => { oursBatch(); await turn(); } },
      { name: 'winston 3 JSON info', peer: 'winston', batch: BATCH, fn: async () => { winstonBatch(); await turn(); } },
      { name: 'pino info (child with requestId)', peer: 'pino', batch: BATCH, fn: async () => { pinoBatch(); await turn(); } },
      { name: 'pino info (child with requestId, redact option)', peer: 'pino', batch: BATCH, fn: async () => { redactingPinoBatch(); await turn(); } },
    ],
  },
  {
    // Synchronous batches back to back: a burst, where whatever a logger defers piles up.
    suite: 'one JSON line with context (and redaction, for bulwark); a synchronous burst',
    cases: [
      { name: '@bulwark/logging info (context + redaction)', peer: null, batch: BATCH, fn: oursBatch },
      { name: 'winston 3 JSON info', peer: 'winston', batch: BATCH, fn: winstonBatch },
      { name: 'pino info (child with requestId)', peer: 'pino', batch: BATCH, fn: pinoBatch },
    ],
  },
  {
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
        name: 'winston 3 debug (dropped)',
        peer: 'winston',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) plainWinston.debug('cache state', winstonFields);
        },
      },
      {
        name: 'pino debug (dropped)',
        peer: 'pino',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) pinoRequest.debug(requestFields, 'cache state');
        },
      },
    ],
  },
];

export default suites;
