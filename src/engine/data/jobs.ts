import path from 'node:path';
import type { JobParams, JobResult } from '../../shared/contract';
import type { JobContext } from '../jobs/job-context';
import { prepareDataset } from './prepare';
import { scanFolder } from './scan';

/**
 * The data jobs in the contract's shapes, ready for the engine's job table
 * (`scan: runScanJob, prepare: runPrepareJob` in src/engine/jobs/handlers.ts).
 */
export async function runScanJob(params: JobParams<'scan'>, ctx: JobContext): Promise<JobResult<'scan'>> {
  const scan = await scanFolder(params.folder, {}, ctx);
  return {
    folder: scan.root,
    images: scan.images.length,
    bySubfolder: scan.bySubfolder,
    skipped: scan.skipped.map((s) => ({ path: path.join(scan.root, ...s.relPath.split('/')), reason: `${s.reason}: ${s.detail}` })),
  };
}

export async function runPrepareJob(params: JobParams<'prepare'>, ctx: JobContext): Promise<JobResult<'prepare'>> {
  return prepareDataset(params, ctx);
}
