// Memory held during a burst of 200,000 lines, for @bulwark/logging, plain winston and pino, each
// in a process of its own, all writing to a null Writable.
//
//   node --expose-gc packages/logging/bench/memory-burst.ts            (from the repository root, Node 24)
//
// "Held" is heap + external + array buffers right after the burst (before the event loop turns,
// so whatever a logger keeps per line until then is counted), minus the same after a full GC
// before the burst. "After" is the same measure once the event loop has turned and GC ran.
import { fork } from 'node:child_process';
import { setImmediate as turn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { REQUEST_ID, SECRET, nullWritable, pinoOptions, requestFields } from './fixtures.ts';

const LINES = 200_000;
const CASES = ['@bulwark/logging', 'winston', 'pino'] as const;
type Case = (typeof CASES)[number];

const gc = (globalThis as { gc?: () => void }).gc;
const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function burst(which: Case): Promise<Record<string, number | string>> {
  let logOnce: () => void;
  if (which === '@bulwark/logging') {
    const { createLogger, registerSecretValue, withLogContext } = await import('@bulwark/logging');
    registerSecretValue(SECRET);
    const logger = createLogger({ service: 'bench', destination: nullWritable(), floodControl: false });
    logOnce = () => withLogContext({ requestId: REQUEST_ID }, () => logger.info('request handled', requestFields));
  } else if (which === 'winston') {
    const { default: winston } = await import('winston');
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      defaultMeta: { service: 'bench' },
      transports: [new winston.transports.Stream({ stream: nullWritable() })],
    });
    const fields = { requestId: REQUEST_ID, ...requestFields };
    logOnce = () => logger.info('request handled', fields);
  } else {
    const { pino } = await import('pino');
    const logger = pino(pinoOptions(true), nullWritable()).child({ requestId: REQUEST_ID });
    logOnce = () => logger.info(requestFields, 'request handled');
  }
  for (let i = 0; i < 2_000; i++) logOnce(); // warm up
  await turn();
  gc?.();
  const before = used();
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  for (let i = 0; i < LINES; i++) logOnce();
  const elapsedMs = performance.now() - start;
  const held = used() - before;
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  for (let i = 0; i < 5; i++) await turn();
  gc?.();
  const after = used() - before;
  return { logger: which, lines: LINES, heldMB: mb(held), rssGrowthMB: mb(rssGrowth), afterGcMB: mb(after), linesPerSecond: Math.round(LINES / (elapsedMs / 1000)) };
}

const which = process.argv[2] as Case | undefined;
if (which !== undefined) {
  process.send?.(await burst(which));
} else {
  if (gc === undefined) {
    console.error('Run with --expose-gc.');
    process.exit(2);
  }
  const rows = [];
  for (const c of CASES) {
    const child = fork(fileURLToPath(import.meta.url), [c], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const row = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${c}: no answer within 120 s`));
      }, 120_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`${c}: exited with ${code}`));
      });
    });
    rows.push(row);
  }
  console.table(rows);
}
