/** Why {@link createApp} refused to write anything. */
export type CreateAppErrorCode = 'INVALID_NAME' | 'DIRECTORY_NOT_EMPTY' | 'TEMPLATE_MISSING';

/**
 * A scaffold refused before anything was written: a package name npm would reject, a target folder
 * that already holds files, or a template folder that is not there.
 *
 * @example
 * ```ts fragment
 * try {
 *   createApp({ directory: 'my-service' });
 * } catch (error) {
 *   if (isCreateAppError(error)) console.error(error.message);
 * }
 * ```
 */
export class CreateAppError extends Error {
  override readonly name = 'CreateAppError';
  readonly code: CreateAppErrorCode;

  constructor(code: CreateAppErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Whether `error` is a {@link CreateAppError}. */
export function isCreateAppError(error: unknown): error is CreateAppError {
  return error instanceof CreateAppError;
}
