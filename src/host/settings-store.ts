import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../engine/fs/atomic';
import { settings as settingsSchema, type Settings, type SettingsPatch } from '../shared/contract';

/** Persisted user settings. The Electron app backs this with electron-store; the browser host and CLI with a JSON file. */
export interface SettingsStore {
  get(): Settings;
  /** merges a validated partial update and persists it */
  set(patch: SettingsPatch): Settings;
}

/** Fields replace, folders merge key by key (a view remembers one folder at a time), and `clearFolders` forgets folders. */
export function mergeSettings(current: Settings, patch: SettingsPatch): Settings {
  const { clearFolders = [], ...fields } = patch;
  const folders: Record<string, string | undefined> = { ...current.folders, ...(fields.folders ?? {}) };
  for (const key of clearFolders) delete folders[key];
  return settingsSchema.parse({ ...current, ...fields, folders });
}

/** Reads settings leniently: a corrupt or outdated file yields defaults (with the bad file kept aside), never a crash. */
export function readSettingsFile(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return settingsSchema.parse({}); // missing or unreadable: defaults
  }
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: kept aside below like a file of the wrong shape
  }
  try {
    renameSync(file, `${file}.invalid`);
  } catch {
    // cannot move it: the next save replaces it, defaults either way
  }
  return settingsSchema.parse({});
}

export class FileSettingsStore implements SettingsStore {
  private current: Settings;
  constructor(private readonly file: string) {
    this.current = readSettingsFile(file);
  }
  get(): Settings {
    return structuredClone(this.current);
  }
  set(patch: SettingsPatch): Settings {
    this.current = mergeSettings(this.current, patch);
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.file, JSON.stringify(this.current, null, 2));
    return this.get();
  }
}

/** Where the browser host and CLI keep their settings (XDG on Linux, the usual places elsewhere). */
export function defaultSettingsFile(): string {
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '.';
  const base =
    process.env.XDG_CONFIG_HOME ??
    (process.platform === 'darwin' ? path.join(home, 'Library', 'Application Support') : process.platform === 'win32' ? (process.env.APPDATA ?? home) : path.join(home, '.config'));
  return path.join(base, 'deblur-studio', 'settings.json');
}
