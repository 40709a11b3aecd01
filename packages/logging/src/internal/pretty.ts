const SIMPLE = /^[\w.:/@+-]*$/;

const show = (value: unknown): string =>
  typeof value === 'string' && value.length > 0 && SIMPLE.test(value) ? value : JSON.stringify(value) ?? String(value);

function stacks(error: unknown, indent: string, out: string[], depth = 0): void {
  if (typeof error !== 'object' || error === null || depth > 10) return;
  const { stack, cause, errors } = error as { stack?: unknown; cause?: unknown; errors?: unknown };
  if (typeof stack === 'string') out.push(stack.replace(/^/gm, indent));
  if (cause !== undefined) {
    out.push(`${indent}caused by:`);
    stacks(cause, `${indent}  `, out, depth + 1);
  }
  if (Array.isArray(errors)) for (const e of errors) stacks(e, `${indent}  `, out, depth + 1);
}

/**
 * A line for people: `12:00:00.000 INFO  checkout: paid orderId=42 amount=12.5`, then the stacks of
 * any errors, indented, on the lines after it. The record is already redacted.
 */
export function formatPretty(record: Readonly<Record<string, unknown>>): string {
  const { timestamp, level, message, service, ...fields } = record;
  const time = typeof timestamp === 'string' ? timestamp.slice(11, 23) : '';
  let line = `${time} ${String(level).toUpperCase().padEnd(7)} ${String(service)}: ${String(message)}`;
  const trailing: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'object' && value !== null && 'stack' in value) {
      const { stack: _stack, cause: _cause, errors: _errors, ...rest } = value as Record<string, unknown>;
      line += ` ${key}=${show(rest)}`;
      stacks(value, '    ', trailing);
    } else {
      line += ` ${key}=${show(value)}`;
    }
  }
  return trailing.length === 0 ? line : `${line}\n${trailing.join('\n')}`;
}
