export { createApp, NAME_PLACEHOLDER } from './create-app.js';
export type { CreateAppOptions, CreatedApp } from './create-app.js';
export { CreateAppError, isCreateAppError } from './create-app-error.js';
export type { CreateAppErrorCode } from './create-app-error.js';
export { packageNameProblem } from './package-name.js';
export { runCli } from './run-cli.js';
