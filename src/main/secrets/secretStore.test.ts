import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import {
  ALPACA_KEYS_SECRET,
  AlpacaCredentials,
  clearAlpacaCredentials,
  redact,
  resolveAlpacaCredentials,
  saveAlpacaCredentials,
} from '../marketdata/credentials.ts';
import { MemorySecretStore, openSecretStore, type SecretStore } from './secretStore.ts';

/**
 * @napi-rs/keyring without a Secret Service: the first read answers null, then every call throws
 * AccessDenied (observed on a headless Debian with no session bus).
 */
class UnreachableKeychain implements SecretStore {
  readonly kind = 'keychain' as const;
  private calls = 0;

  async get(): Promise<string | null> {
    return this.answer(null);
  }

  async set(): Promise<void> {
    this.answer(undefined);
  }

  async delete(): Promise<boolean> {
    return this.answer(true);
  }

  private answer<T>(value: T): T {
    this.calls += 1;
    if (this.calls > 1) throw new Error('Could not access platform storage: AccessDenied');
    return value;
  }
}

/** A keychain that accepts writes and forgets them (a locked or read-only collection). */
class ForgetfulKeychain extends MemorySecretStore {
  override async set(): Promise<void> {}
}

describe('openSecretStore', () => {
  it('falls back to the memory store when the keychain cannot store and return a value', async () => {
    for (const keychain of [new UnreachableKeychain(), new ForgetfulKeychain()]) {
      const store = await openSecretStore(keychain);
      expect(store.kind).toBe('memory');
      await saveAlpacaCredentials(store, 'PKFALLBACK', 'fallback-secret');
      expect((await resolveAlpacaCredentials(store, {}))?.source).toBe('memory');
    }
  });

  it('keeps a keychain that returns what was written, leaving no probe entry behind', async () => {
    const keychain = new MemorySecretStore();
    expect(await openSecretStore(keychain)).toBe(keychain);
    expect(await keychain.get('probe')).toBeNull();
  });
});

describe('credentials', () => {
  it('environment keys win over saved ones; saved ones are found otherwise', async () => {
    const store = new MemorySecretStore();
    expect(await resolveAlpacaCredentials(store, {})).toBeNull();
    await saveAlpacaCredentials(store, 'PKSAVED', 'saved-secret');
    expect((await resolveAlpacaCredentials(store, {}))?.keyId).toBe('PKSAVED');
    const fromEnv = await resolveAlpacaCredentials(store, {
      APCA_API_KEY_ID: 'PKENV',
      APCA_API_SECRET_KEY: 'env-secret',
    });
    expect(fromEnv?.source).toBe('environment');
    expect(fromEnv?.secretKey).toBe('env-secret');
  });

  it('saves the pair as one entry, ignores a malformed one and clears it', async () => {
    const store = new MemorySecretStore();
    await saveAlpacaCredentials(store, 'PKPAIR', 'pair-secret');
    expect(JSON.parse((await store.get(ALPACA_KEYS_SECRET))!)).toEqual({
      keyId: 'PKPAIR',
      secretKey: 'pair-secret',
    });
    await expect(saveAlpacaCredentials(store, '', 'x')).rejects.toThrow();
    expect((await resolveAlpacaCredentials(store, {}))?.keyId).toBe('PKPAIR');
    await store.set(ALPACA_KEYS_SECRET, 'not json');
    expect(await resolveAlpacaCredentials(store, {})).toBeNull();
    await saveAlpacaCredentials(store, 'PKPAIR', 'pair-secret');
    await clearAlpacaCredentials(store);
    expect(await resolveAlpacaCredentials(store, {})).toBeNull();
  });

  it('never shows the key values when logged, serialised or redacted', () => {
    const credentials = new AlpacaCredentials('PKVISIBLE123', 'top-secret-value', 'explicit');
    for (const text of [
      inspect(credentials),
      JSON.stringify({ credentials }),
      String(credentials),
      `${credentials}`,
    ]) {
      expect(text).not.toContain('PKVISIBLE123');
      expect(text).not.toContain('top-secret-value');
    }
    expect(redact('header was top-secret-value', credentials)).toBe('header was [redacted]');
  });
});

// The OS keychain needs a Secret Service: the test starts its own (a private session bus with a fresh
// gnome-keyring-daemon, unlocked, its keyrings in a temporary folder), so nothing else the suite runs
// shares its keyring, and the machine's own keyrings are not touched. Without the two programs it is
// skipped, saying why.
const keychainSkip = ['dbus-run-session', 'gnome-keyring-daemon']
  .filter((program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0)
  .map((program) => ` (skipped: ${program} is not installed; apt-get install dbus gnome-keyring)`)[0];
describe.skipIf(keychainSkip !== undefined)(`OS keychain${keychainSkip ?? ''}`, () => {
  it('stores, reads and deletes a secret', () => {
    const home = mkdtempSync(join(tmpdir(), 'regimen-keyring-'));
    try {
      const roundTrip = fileURLToPath(new URL('../../../test/support/keychainRoundTrip.ts', import.meta.url));
      const run = spawnSync(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" --import tsx "$1"',
          process.execPath,
          roundTrip,
        ],
        { env: { ...process.env, XDG_DATA_HOME: home, HOME: home }, encoding: 'utf8', timeout: 60_000 },
      );
      // Nothing printed: the daemon or the script failed to start, and stderr says why.
      expect(run.stdout, run.stderr).not.toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ read: 'keychain-secret-1', deleted: true, after: null });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
