import { randomUUID } from 'node:crypto';
import { AsyncEntry } from '@napi-rs/keyring';

/**
 * Where API keys live. The keychain-backed store is what the app and the CLI use; the in-memory store
 * serves tests and machines without a keychain. Values never leave this module except to the caller
 * that asked for them: no logging, no error message carries a value.
 */
export interface SecretStore {
  readonly kind: 'keychain' | 'memory';
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
}

/** Keychain service name the entries are filed under (one account per secret name). */
const KEYCHAIN_SERVICE = 'regimen';

/** The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux). */
export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(private readonly service = KEYCHAIN_SERVICE) {}

  async get(name: string): Promise<string | null> {
    return this.call('read', name, (entry) => entry.getPassword());
  }

  async set(name: string, value: string): Promise<void> {
    await this.call('write', name, (entry) => entry.setPassword(value));
  }

  async delete(name: string): Promise<boolean> {
    return this.call('delete', name, (entry) => entry.deletePassword());
  }

  private async call<T>(action: string, name: string, work: (entry: AsyncEntry) => Promise<T>): Promise<T> {
    try {
      return await work(new AsyncEntry(this.service, name));
    } catch (error) {
      // The keyring's own message names the store and the failure, never the value.
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Could not ${action} "${name}" in the OS keychain: ${reason}`);
    }
  }
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }

  async delete(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}

/** The entry the probe writes and removes; it never holds a key. */
const PROBE_NAME = 'probe';

/** What the services say about the keys when no OS keychain answered. */
export const SESSION_ONLY_NOTE =
  'No OS keychain is reachable (no Secret Service): saved keys last for this session only; set APCA_API_KEY_ID and APCA_API_SECRET_KEY to give keys on every launch';

/**
 * The keychain when it stores and returns a value, else an in-memory store. The probe writes, reads back
 * and deletes a random value because a read alone proves nothing: without a Secret Service,
 * @napi-rs/keyring answers the first read with null and throws AccessDenied on every later call.
 */
export async function openSecretStore(
  keychain: SecretStore = new KeychainSecretStore(),
): Promise<SecretStore> {
  const probe = `probe-${randomUUID()}`;
  try {
    await keychain.set(PROBE_NAME, probe);
    const readBack = await keychain.get(PROBE_NAME);
    await keychain.delete(PROBE_NAME);
    if (readBack === probe) return keychain;
  } catch {
    // Any failure means the keychain cannot hold the keys; the memory store can.
  }
  return new MemorySecretStore();
}
