// Runs @bulwark/logging (the built package) in a process where @opentelemetry/api cannot be found,
// although something has registered OpenTelemetry globals, and reports the lines it wrote.
import { registerHooks } from 'node:module';

let attempts = 0;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@opentelemetry/api') {
      attempts++;
      throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
    }
    return nextResolve(specifier, context);
  },
});
globalThis[Symbol.for('opentelemetry.js.api.1')] = { version: '1.9.0' };

const { createLogger } = await import('@bulwark/logging');
const lines = [];
const logger = createLogger({ service: 'no-otel', destination: { write: (line) => lines.push(line) } });
logger.info('first');
logger.info('second');
await logger.close();
process.send({ lines, attempts });
