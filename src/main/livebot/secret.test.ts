import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../secrets/secretStore.ts';
import { BotClient } from './botClient.ts';
import { BOT_SECRET_NAME, resolveBotSecret } from './secret.ts';

describe('a bot secret too short to be one', () => {
  it('is refused where it is given, naming where and the minimum, never the value', async () => {
    const keychain = new MemorySecretStore();
    await expect(resolveBotSecret({ REGIMEN_BOT_SECRET: 'pw1' }, keychain)).rejects.toThrow(
      'the bot secret in REGIMEN_BOT_SECRET has 3 characters: it needs at least 16',
    );
    await keychain.set(BOT_SECRET_NAME, 'fifteen-chars-x');
    await expect(resolveBotSecret({}, keychain)).rejects.toThrow(
      'the bot secret in the keychain entry "bot-secret" has 15 characters: it needs at least 16',
    );
    expect(() => new BotClient('http://127.0.0.1:1', 'pw1')).toThrow(
      'the bot secret for http://127.0.0.1:1 has 3 characters: it needs at least 16',
    );
    await keychain.set(BOT_SECRET_NAME, 'sixteen-chars-xy');
    expect(await resolveBotSecret({}, keychain)).toBe('sixteen-chars-xy');
  });
});
