/**
 * The preload bridge: exposes exactly the contract's channels to the sandboxed renderer, nothing
 * generic (no raw ipcRenderer), so a compromised page can reach only what main validates anyway.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../shared/channels.ts';
import { SAVE_PATH_CHANNEL } from '../shared/client.ts';

const requestChannels = new Set<string>(REQUEST_CHANNELS);
const eventChannels = new Set<string>(EVENT_CHANNELS);

contextBridge.exposeInMainWorld('regimen', {
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (!requestChannels.has(channel))
      return Promise.reject(new Error(`Unknown request channel "${channel}"`));
    return ipcRenderer.invoke(`rq:${channel}`, input);
  },
  on(channel: string, listener: (payload: unknown) => void): () => void {
    if (!eventChannels.has(channel)) throw new Error(`Unknown event channel "${channel}"`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(`ev:${channel}`, wrapped);
    return () => ipcRenderer.removeListener(`ev:${channel}`, wrapped);
  },
  // A picked or dropped file's path, which the page itself is never given (File.path is gone).
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  // Where to save an export: main shows the system dialog (the page never picks a path itself).
  async chooseSavePath(suggestedName: string): Promise<string | null> {
    const chosen: unknown = await ipcRenderer.invoke(SAVE_PATH_CHANNEL, suggestedName);
    return typeof chosen === 'string' ? chosen : null;
  },
});
