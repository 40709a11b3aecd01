import { createRequire } from 'node:module';

interface SpanContext {
  readonly traceId: string;
  readonly spanId: string;
}
interface OtelApi {
  readonly context: { active(): unknown };
  readonly trace: { getSpan(context: unknown): { spanContext(): SpanContext } | undefined };
  isSpanContextValid(spanContext: SpanContext): boolean;
}

// Where @opentelemetry/api keeps its global context manager and tracer provider. Until something
// registers them there, no span can be active, so the API need not even be loaded.
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

let api: OtelApi | null | undefined;

function load(): OtelApi | null {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch {
    // The optional peer is not installed: logs carry no trace ids.
    return null;
  }
}

/** The active span's ids, when `@opentelemetry/api` is installed, registered and a span is active. */
export function activeSpanContext(): SpanContext | undefined {
  if ((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] === undefined) return undefined;
  if (api === undefined) api = load();
  if (api === null) return undefined;
  const span = api.trace.getSpan(api.context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return api.isSpanContextValid(spanContext) ? spanContext : undefined;
}
