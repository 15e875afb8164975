import { describe, expect, it } from 'vitest';
import type { PickedFile } from '../../shared/client.ts';
import { createIpcClient, type RegimenBridge } from './ipcClient.ts';

/** A bridge as the preload exposes it: records what reaches main, answers `data:*` as the services do. */
function fakeBridge(paths: { picked?: string; saveAs?: string | null }) {
  const calls: { channel: string; input: Record<string, unknown> }[] = [];
  const asked: string[] = [];
  const bridge: RegimenBridge = {
    invoke: (channel, input) => {
      const request = input as Record<string, unknown>;
      calls.push({ channel, input: request });
      if (channel === 'data:export')
        return Promise.resolve({ path: request['path'], format: 'csv', bars: 42 });
      return Promise.resolve({ file: request['path'], bars: 15, symbol: 'DROPD', timeframe: '1d' });
    },
    on: () => () => undefined,
    pathForFile: () => paths.picked ?? '',
    chooseSavePath: (suggestedName) => {
      asked.push(suggestedName);
      return Promise.resolve(paths.saveAs ?? null);
    },
  };
  return { bridge, calls, asked };
}

const dropped: PickedFile = { name: 'DROPD.csv', size: 300 };

describe('the desktop client', () => {
  it('imports a picked or dropped file where it lies (its own path), with the form options, not as an upload', async () => {
    const { bridge, calls } = fakeBridge({ picked: '/home/me/data/DROPD.csv' });
    await createIpcClient(bridge).importFile!(dropped, { calendar: 'crypto' });
    expect(calls).toEqual([
      { channel: 'data:import', input: { calendar: 'crypto', path: '/home/me/data/DROPD.csv' } },
    ]);
  });

  it('refuses a file Electron gives no path for, naming it, and sends nothing', async () => {
    const { bridge, calls } = fakeBridge({});
    await expect(createIpcClient(bridge).importFile!(dropped, {})).rejects.toThrow(
      '"DROPD.csv" has no path on this machine',
    );
    expect(calls).toEqual([]);
  });

  it('exports where the save dialog says, offering the export file name; a cancel writes nothing', async () => {
    const { bridge, calls, asked } = fakeBridge({ saveAs: '/home/me/GOOG daily.csv' });
    const client = createIpcClient(bridge);
    const input = { symbol: 'GOOG', timeframe: '1d', format: 'csv', start: Date.UTC(2020, 0, 1) } as const;
    expect(await client.exportFile!(input)).toEqual({ savedAs: '/home/me/GOOG daily.csv', bars: 42 });
    expect(asked).toEqual(['GOOG_1d_from-2020-01-01.csv']);
    // The dialog asked before replacing the file it returned.
    expect(calls).toEqual([
      { channel: 'data:export', input: { ...input, path: '/home/me/GOOG daily.csv', overwrite: true } },
    ]);

    const withoutExtension = fakeBridge({ saveAs: '/home/me/goog' });
    await createIpcClient(withoutExtension.bridge).exportFile!({ ...input, format: 'parquet' });
    expect(withoutExtension.calls[0]!.input).toMatchObject({
      path: '/home/me/goog.parquet',
      overwrite: false,
    });

    const cancelled = fakeBridge({ saveAs: null });
    expect(await createIpcClient(cancelled.bridge).exportFile!(input)).toBeNull();
    expect(cancelled.calls).toEqual([]);
  });
});
