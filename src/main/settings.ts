import Store from 'electron-store';
import { settings as settingsSchema, type Settings } from '../shared/contract';
import { mergeSettings, type SettingsStore } from '../host/settings-store';

/** electron-store behind the host's SettingsStore interface; a corrupt or outdated file falls back to defaults. */
export function createElectronSettingsStore(): SettingsStore {
  const store = new Store<{ settings: unknown }>({ name: 'settings', clearInvalidConfig: true });
  const parsed = settingsSchema.safeParse(store.get('settings') ?? {});
  let current: Settings = parsed.success ? parsed.data : settingsSchema.parse({});
  return {
    get: () => structuredClone(current),
    set: (patch) => {
      current = mergeSettings(current, patch);
      store.set('settings', current);
      return structuredClone(current);
    },
  };
}
