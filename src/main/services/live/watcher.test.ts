import { describe, expect, it } from 'vitest';
import type { LiveBotEntry } from '../../../shared/liveContract.ts';
import type { LiveDesk } from '../../livebot/liveDesk.ts';
import { EventBus } from '../events.ts';
import { LiveWatcher } from './watcher.ts';

describe('LiveWatcher.tick', () => {
  it('looks at a bot registered after a tick that found none', async () => {
    const bots: LiveBotEntry[] = [];
    const looked: string[] = [];
    const watcher = new LiveWatcher({
      bots: () => bots,
      // The look's desk work is not the point here: record whom it was for and fail the look.
      withDesk: <T>(_work: (desk: LiveDesk) => Promise<T>): Promise<T> => {
        looked.push(bots.map((b) => b.url).join(','));
        return Promise.reject(new Error('no desk in this test'));
      },
      events: new EventBus(),
      settingsSession: () => 'regular',
    });
    await watcher.tick();
    bots.push({ name: 'late', url: 'http://127.0.0.1:1', autoPause: false });
    await watcher.tick();
    await watcher.tick();
    expect(looked).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:1']);
    expect(watcher.last('http://127.0.0.1:1')?.error).toBe('no desk in this test');
  });

  it('looks at one bot once at a time: a look asked for during the poll waits for it', async () => {
    const bot: LiveBotEntry = { name: 'one', url: 'http://127.0.0.1:1', autoPause: false };
    let inFlight = 0;
    let most = 0;
    let looks = 0;
    const watcher = new LiveWatcher({
      bots: () => [bot],
      // Two looks at once read the bot's reports from the same cursor and appended them twice: count
      // how many desk sessions overlap.
      withDesk: async <T>(_work: (desk: LiveDesk) => Promise<T>): Promise<T> => {
        inFlight++;
        looks++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        throw new Error('no desk in this test');
      },
      events: new EventBus(),
      settingsSession: () => 'regular',
    });
    await Promise.all([watcher.tick(), watcher.look(bot), watcher.look(bot)]);
    expect(looks).toBe(3);
    expect(most).toBe(1);
  });
});
