import type { DeblurApi, MethodParamsInput, Settings } from '../../../shared/contract';
import { errorMessage } from './errors';

export type ThemeChoice = Settings['theme'];
export type FolderKey = keyof Settings['folders'];
export type SettingsPatch = MethodParamsInput<'settings.set'>;

/**
 * The persisted settings (settings.get/set on the host) plus the theme actually shown, which follows the
 * system unless the user chose one.
 */
class SettingsState {
  value = $state<Settings | null>(null);
  error = $state<string | null>(null);
  systemDark = $state(false);
  private api: DeblurApi | null = null;

  get theme(): ThemeChoice {
    return this.value?.theme ?? 'system';
  }

  /** 'light' or 'dark': what is on screen now */
  get effectiveTheme(): 'light' | 'dark' {
    const t = this.theme;
    if (t === 'system') return this.systemDark ? 'dark' : 'light';
    return t;
  }

  folder(key: FolderKey): string {
    return this.value?.folders[key] ?? '';
  }

  async load(api: DeblurApi): Promise<void> {
    this.api = api;
    try {
      this.value = await api.call('settings.get', {});
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Persists a partial update; the host merges folders, so a patch may name just one. */
  async update(patch: SettingsPatch): Promise<void> {
    if (!this.api) throw new Error('settings used before load(api)');
    this.value = await this.api.call('settings.set', patch);
  }

  /** Remembers a folder the user chose, quietly: a failure here must not interrupt the task at hand. */
  rememberFolder(key: FolderKey, path: string): void {
    if (!path || this.folder(key) === path) return;
    this.update({ folders: { [key]: path } }).catch(() => {});
  }
}

export const settings = new SettingsState();

/** Tracks the system colour scheme and applies the effective theme to <html data-theme>. */
export function watchSystemTheme(): () => void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const onChange = () => (settings.systemDark = query.matches);
  onChange();
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
