/**
 * Run by secretStore.test inside its own session bus and keyring daemon: a set, a read, a delete and a
 * read of one entry through KeychainSecretStore, printed as JSON (what was read, what delete answered),
 * or the error's message.
 */
import { KeychainSecretStore } from '../../src/main/secrets/secretStore.ts';

const store = new KeychainSecretStore('regimen-test');
try {
  await store.set('alpaca.test', 'keychain-secret-1');
  const read = await store.get('alpaca.test');
  const deleted = await store.delete('alpaca.test');
  const after = await store.get('alpaca.test');
  process.stdout.write(JSON.stringify({ read, deleted, after }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
}
