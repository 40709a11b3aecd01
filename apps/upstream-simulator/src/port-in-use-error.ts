/** The port asked for is taken: another process (or another simulator) listens on it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  /** Stable discriminant. */
  readonly code = 'PORT_IN_USE';
  readonly port: number;

  constructor(port: number, host: string, options: { readonly cause?: unknown } = {}) {
    super(`Port ${port} on ${host} is in use; pick another with --port, or --port 0 for any free one.`, options);
    this.port = port;
  }
}

/** True for a {@link PortInUseError}. */
export const isPortInUseError = (error: unknown): error is PortInUseError => error instanceof PortInUseError;
