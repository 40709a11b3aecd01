export { Secret, secret, isSecret, REDACTED } from './secret.js';
export type { SecretMetadata } from './secret.js';

export type { SecretProvider, SecretVersions, SecretChangeEvent } from './secret-provider.js';
export { envProvider } from './env-provider.js';
export type { EnvProviderOptions } from './env-provider.js';
export { dotenvProvider } from './dotenv-provider.js';
export type { DotenvProviderOptions } from './dotenv-provider.js';
export { directoryProvider } from './directory-provider.js';
export type { DirectoryProvider, DirectoryProviderOptions } from './directory-provider.js';
export { memoryProvider } from './memory-provider.js';
export type { MemoryProvider, MemoryProviderOptions } from './memory-provider.js';
export { chainProviders } from './chain-providers.js';
export type { ProviderChain } from './chain-providers.js';
export { encryptedFileStore } from './encrypted-file-store.js';
export type {
  EncryptedFileStore,
  EncryptedFileStoreOptions,
  KdfOptions,
  RekeyResult,
  StoreKey,
  StoredSecretInfo,
  StoredVersionInfo,
} from './encrypted-file-store.js';

export { secretManager } from './secret-manager.js';
export type { SecretManager, SecretManagerOptions } from './secret-manager.js';
export type { SecretAuditAction, SecretAuditEvent, SecretManagerStats, SecretRefreshFailedEvent, SecretRotatedEvent } from './secret-manager-events.js';
export type { SecretContext, SecretPolicy, SecretReader, SecretScopeOptions, WithSecretOptions } from './secret-reader.js';
export type { LoadedSecrets, SecretField, SecretFieldValue, SecretSchema } from './secret-schema.js';
export { isAuthFailure } from './is-auth-failure.js';

export { SecretNotFoundError, isSecretNotFoundError } from './secret-not-found-error.js';
export { SecretAccessDeniedError, isSecretAccessDeniedError } from './secret-access-denied-error.js';
export { SecretProviderFailedError, isSecretProviderFailedError } from './secret-provider-failed-error.js';
export type { SecretProviderFailedErrorOptions } from './secret-provider-failed-error.js';
export { SecretLoadFailedError, isSecretLoadFailedError } from './secret-load-failed-error.js';
export { SecretParseError, isSecretParseError } from './secret-parse-error.js';
export type { SecretSchemaProblem } from './secret-load-failed-error.js';
export { SecretStoreWrongKeyError, isSecretStoreWrongKeyError } from './secret-store-wrong-key-error.js';
export { SecretStoreCorruptError, isSecretStoreCorruptError } from './secret-store-corrupt-error.js';
export { SecretStoreLockedError, isSecretStoreLockedError } from './secret-store-locked-error.js';
export { SecretManagerClosedError, isSecretManagerClosedError } from './secret-manager-closed-error.js';

export { scanForSecrets, scanText, ALLOW_SECRET_MARKER, ALLOW_LIST_FILE } from './scan-for-secrets.js';
export type { ScanOptions, ScanReport, SecretFinding } from './scan-for-secrets.js';
