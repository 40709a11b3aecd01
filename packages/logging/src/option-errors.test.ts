import { describe, expect, test } from 'vitest';
import { createLogger, serializeError } from './index.js';

const destination = { write: () => true };

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['createLogger', () => createLogger({ service: 'a', destination, stream: destination } as never), 'Unknown option `stream` of createLogger(); did you mean `destination`?'],
    ['createLogger (pino name)', () => createLogger({ service: 'a', destination, base: {} } as never), 'Unknown option `base` of createLogger(); did you mean `fields`?'],
    ['createLogger (typo)', () => createLogger({ service: 'a', destination, levle: 'info' } as never), 'Unknown option `levle` of createLogger(); did you mean `level`?'],
    ['createLogger (floodControl)', () => createLogger({ service: 'a', destination, floodControl: { max: 5 } } as never), 'Unknown option `floodControl.max` of createLogger(); did you mean `floodControl.maxPerWindow`?'],
    ['serializeError', () => serializeError(new Error('x'), { depth: 2 } as never), 'Unknown option `depth` of serializeError(); did you mean `maxDepth`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});
