import type { ExportFileInput, ImportFileInput, PickedFile, RegimenClient } from '../../shared/client.ts';
import { barsExportFileName } from '../../shared/exportFileName.ts';
import type {
  EventChannel,
  EventPayload,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../shared/contract.ts';
import { ClientError, throwIfWireError } from './clientError.ts';

/** What the preload script exposes on `window.regimen` (see src/preload). */
export interface RegimenBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
  /** The picked or dropped file's own path (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: PickedFile): string;
  /** Shows the system's save dialog offering `suggestedName`; the path chosen, or null when cancelled. */
  chooseSavePath(suggestedName: string): Promise<string | null>;
}

declare global {
  interface Window {
    regimen?: RegimenBridge;
  }
}

// Main answers a failed request with the wire error (as data, so its status survives IPC); what still
// throws is the bridge itself, which Electron wraps as "Error invoking remote method 'x': Error: msg".
const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** The client for the desktop app: every call goes through the preload bridge to the services in main. */
export function createIpcClient(bridge: RegimenBridge): RegimenClient {
  const client: RegimenClient = {
    async invoke<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
      let result: unknown;
      try {
        result = await bridge.invoke(channel, input);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ClientError(message.replace(REMOTE_PREFIX, ''), 500, channel);
      }
      throwIfWireError(result, channel);
      return result as RequestOutput<K>;
    },
    on<K extends EventChannel>(channel: K, listener: (payload: EventPayload<K>) => void): () => void {
      return bridge.on(channel, (payload) => listener(payload as EventPayload<K>));
    },
    // The services share this machine: the file is imported where it is, no copy.
    importFile(file: PickedFile, input: ImportFileInput) {
      const path = bridge.pathForFile(file);
      if (!path) {
        return Promise.reject(
          new ClientError(`"${file.name}" has no path on this machine`, 400, 'data:import'),
        );
      }
      return client.invoke('data:import', { ...input, path });
    },
    // The file is written where the user chose, by the same data:export as the CLI's.
    async exportFile(input: ExportFileInput) {
      const chosen = await bridge.chooseSavePath(barsExportFileName(input));
      if (chosen === null) return null;
      const typed = chosen.toLowerCase().endsWith(`.${input.format}`);
      // The dialog asked before replacing the file it was given; one whose extension is added here was not
      // asked about, so it is not replaced.
      const result = await client.invoke('data:export', {
        ...input,
        path: typed ? chosen : `${chosen}.${input.format}`,
        overwrite: typed,
      });
      return { savedAs: result.path, bars: result.bars };
    },
  };
  return client;
}
