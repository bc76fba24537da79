import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readRunHistoryEntry, type MethodResult } from '../../shared/contract';
import { readCheckpointState } from './checkpoint-state';
import { readHistoryFile } from './history';
import { pathExists, readRunConfig, runPaths } from './run-dir';

/** The engine side of `runs.list` and `runs.history`: what the Runs view shows and redraws. */
export type RunSummary = MethodResult<'runs.list'>['runs'][number];
export type HistoryEntries = MethodResult<'runs.history'>['entries'];

/**
 * Every run folder directly under `runsDir` (folders without a readable config.json are not runs
 * and are left out), most recently updated first. A missing runsDir is an empty list.
 */
export async function listRuns(runsDir: string): Promise<RunSummary[]> {
  const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new Error(`cannot list the runs folder ${runsDir}: ${err.message}`);
  });
  const runs = await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => summarise(path.join(runsDir, e.name))));
  return runs.filter((r): r is RunSummary => r !== null).sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : a.name.localeCompare(b.name)));
}

async function summarise(runDir: string): Promise<RunSummary | null> {
  let config;
  try {
    config = await readRunConfig(runDir);
  } catch {
    return null;
  }
  const paths = runPaths(runDir);
  const lastDir = paths.checkpoint('last');
  const state = (await pathExists(lastDir)) ? await readCheckpointState(lastDir).catch(() => null) : null;
  const times = await Promise.all([paths.config, paths.history, path.join(lastDir, 'state.json')].map((p) => fs.stat(p).then((st) => st.mtimeMs).catch(() => 0)));
  return {
    name: config.params.run,
    dir: runDir,
    model: config.params.model,
    preset: config.params.preset,
    step: state?.step ?? 0,
    totalSteps: config.totalSteps,
    epochs: config.params.epochs,
    bestPsnr: state?.bestPsnr ?? null,
    updated: new Date(Math.max(...times)).toISOString(),
    hasCheckpoint: state !== null,
  };
}

/** The run's chart events in order, as the contract's run history (a torn last line after a kill, or an entry that is not a chart event, is skipped). */
export async function readHistory(runDir: string): Promise<HistoryEntries> {
  await readRunConfig(runDir); // a clear error for a folder that is not a run
  return (await readHistoryFile(runPaths(runDir).history)).flatMap((line) => readRunHistoryEntry(line) ?? []);
}
