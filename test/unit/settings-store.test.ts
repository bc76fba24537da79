import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../src/shared/contract';
import { FileSettingsStore } from '../../src/host/settings-store';

const store = async () => {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'deblur-settings-')), 'settings.json');
  return { file, settings: new FileSettingsStore(file) };
};

describe('settings store', () => {
  it('merges folders key by key, so remembering one folder keeps the others', async () => {
    const { settings } = await store();
    settings.set({ folders: { dataset: '/photos', runs: '/runs' } });
    expect(settings.set({ folders: { deblurInput: '/in' } }).folders).toEqual({ dataset: '/photos', runs: '/runs', deblurInput: '/in' });
  });

  it('forgets the folders named in clearFolders, keeps the rest, and persists that', async () => {
    const { file, settings } = await store();
    settings.set({ theme: 'dark', folders: { dataset: '/photos', runs: '/runs', testSet: '/test' } });
    const after = settings.set({ folders: { runs: '/other-runs' }, clearFolders: ['dataset', 'testSet'] });
    expect(after.folders).toEqual({ runs: '/other-runs' });
    expect(after.theme).toBe('dark');
    expect(JSON.parse(await readFile(file, 'utf8')).folders).toEqual({ runs: '/other-runs' });
    expect(new FileSettingsStore(file).get().folders).toEqual({ runs: '/other-runs' });
  });

  it('rejects clearing a folder the settings do not have, naming the field', () => {
    expect(() => parseRequest({ kind: 'request', id: 'r1', method: 'settings.set', params: { clearFolders: ['home'] } })).toThrow(/params\.clearFolders\.0/);
  });

  it('falls back to defaults on a corrupt file and keeps the bad file aside', async () => {
    const { file } = await store();
    await writeFile(file, '{"theme": "purple"');
    expect(new FileSettingsStore(file).get()).toMatchObject({ theme: 'system', folders: {} });
    expect(await readFile(`${file}.invalid`, 'utf8')).toBe('{"theme": "purple"');
  });
});
