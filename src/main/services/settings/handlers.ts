import type { SETTINGS_CHANNELS } from '../../../shared/settingsChannels.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import type { SettingsStore } from './settingsStore.ts';

/** Settings: one record for every window, the CLI and `regimen serve` (see settingsStore.ts). */
export function createSettingsHandlers(store: SettingsStore): DomainHandlers<typeof SETTINGS_CHANNELS> {
  return {
    'settings:get': async () => store.state(),
    'settings:set': async (patch) => store.set(patch),
    'settings:data-folder': (request) => store.dataFolder(request),
  };
}
