/**
 * A setting of the environment is wrong. The message names the variable, the value (never for a
 * secret) and what was expected: "Expected `PORT` to be an integer from 0 to 65535, got \"http\"."
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'BAD_CONFIG';
  /** The variable at fault. */
  readonly variable: string;

  constructor(variable: string, value: string | undefined, expected: string) {
    const shown = value === undefined ? 'nothing' : JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    super(`Expected \`${variable}\` to be ${expected}, got ${shown}.`);
    this.variable = variable;
  }
}

/** True for a {@link ConfigError}. */
export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;
