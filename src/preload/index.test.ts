import { beforeEach, describe, expect, it, vi } from 'vitest';

/** What the preload exposes, captured from a fake contextBridge; Electron's webUtils and IPC are fakes. */
const electron = vi.hoisted(() => ({
  exposed: new Map<string, Record<string, (...args: unknown[]) => unknown>>(),
  pathFor: vi.fn((file: { name: string }) => `/home/me/data/${file.name}`),
  invoke: vi.fn((..._args: unknown[]): Promise<unknown> => Promise.resolve('/home/me/Downloads/GOOG_1d.csv')),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) =>
      electron.exposed.set(key, api),
  },
  ipcRenderer: { invoke: electron.invoke, on: vi.fn(), removeListener: vi.fn() },
  webUtils: { getPathForFile: electron.pathFor },
}));

describe('the preload bridge', () => {
  beforeEach(async () => {
    electron.invoke.mockClear();
    await import('./index.ts');
  });

  it("gives a picked or dropped file's own path from webUtils.getPathForFile", () => {
    const file = { name: 'SPY_1min.csv' };
    expect(electron.exposed.get('regimen')!['pathForFile']!(file)).toBe('/home/me/data/SPY_1min.csv');
    expect(electron.pathFor).toHaveBeenCalledWith(file);
  });

  it('asks main for a save path on its own channel, and reads anything but a path as a cancel', async () => {
    const bridge = electron.exposed.get('regimen')!;
    expect(await bridge['chooseSavePath']!('GOOG_1d.csv')).toBe('/home/me/Downloads/GOOG_1d.csv');
    expect(electron.invoke).toHaveBeenCalledWith('dialog:save-path', 'GOOG_1d.csv');
    electron.invoke.mockResolvedValueOnce(undefined);
    expect(await bridge['chooseSavePath']!('GOOG_1d.csv')).toBeNull();
  });

  it('refuses channels outside the contract', async () => {
    const bridge = electron.exposed.get('regimen')!;
    await expect(bridge['invoke']!('shell:exec', {})).rejects.toThrow('Unknown request channel "shell:exec"');
    expect(electron.invoke).not.toHaveBeenCalled();
  });
});
