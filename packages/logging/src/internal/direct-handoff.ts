import type winston from 'winston';

/** The parts of a readable-stream state (readable-stream 3 or 4) read here. */
interface StreamState {
  readonly length: number;
  readonly corked?: number;
  readonly ending?: boolean;
  readonly ended?: boolean;
  readonly flowing?: boolean | null;
  readonly pipes?: unknown;
}

interface Streams {
  readonly _readableState?: StreamState;
  readonly _writableState?: StreamState;
}

const idle = (state: StreamState | undefined): boolean =>
  state !== undefined && state.length === 0 && !state.ending && !state.ended && (state.corked ?? 0) === 0;

/** The only destination winston pipes to (readable-stream 3 keeps one as itself, 4 in an array), if there is one. */
function onlyPipe(state: StreamState): unknown {
  const pipes = state.pipes;
  if (Array.isArray(pipes)) return pipes.length === 1 ? pipes[0] : undefined;
  return pipes ?? undefined;
}

/**
 * Whether winston would hand `record` to `transport` unchanged, at once, and to nothing else: the
 * transport is the only one, winston has nothing buffered, is not silent, has the pass-through
 * `format` and no other `data` listener, and the transport has no level, format or silence of its
 * own (and would not drop the record as an uncaught exception). Then the record can be given to
 * the transport's `log` directly, without the two object streams between them. Any change made
 * through `logger.winston` (a transport added, a format, a listener) makes this false, and the
 * line goes through winston.
 */
export function canHandOff(logger: winston.Logger, format: unknown, transport: winston.transport, record: { readonly exception?: unknown }): boolean {
  const streams = logger as unknown as Streams;
  const own = transport as unknown as Streams & { readonly level?: string; readonly silent?: boolean; readonly format?: unknown };
  const readable = streams._readableState;
  return (
    readable !== undefined &&
    readable.flowing === true &&
    idle(readable) &&
    idle(streams._writableState) &&
    onlyPipe(readable) === transport &&
    logger.format === format &&
    logger.silent !== true &&
    logger.listenerCount('data') === 1 &&
    own.level === undefined &&
    own.format === undefined &&
    own.silent !== true &&
    idle(own._writableState) &&
    record.exception !== true
  );
}
