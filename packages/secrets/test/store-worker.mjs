// A child process writing to an encrypted store, for the multi-process tests.
// argv: mode ('writer' | 'loop'), store path, worker id, count
import { encryptedFileStore } from '@bulwark/secrets';

const [mode, path, id, count] = process.argv.slice(2);
const store = encryptedFileStore({
  path,
  keys: [{ passphrase: process.env.STORE_PASSPHRASE }],
  kdf: { algorithm: 'scrypt', cost: 1024 },
  historyLimit: 1000,
  lockTimeoutMs: 30_000,
});

if (mode === 'writer') {
  for (let j = 0; j < Number(count); j++) {
    await store.set(`w${id}-${j}`, `value-${id}-${j}`);
    await store.set('shared', `shared-${id}-${j}`);
  }
  process.send({ done: true });
} else {
  // Writes forever (a large value, so that writes take a while) until killed.
  const padding = 'x'.repeat(200_000);
  for (let j = 0; ; j++) {
    await store.set('big', `${j}:${padding}`);
    process.send({ written: j });
  }
}
