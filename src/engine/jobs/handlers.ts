import type { JobHandlers } from './runner';
import { runSelftest } from '../selftest/selftest';

/**
 * The engine's job table: contract job type → handler. Heavy modules are imported on first use, so the
 * engine answers `runtime.info` quickly after it starts.
 */
export const jobHandlers: JobHandlers = {
  selftest: runSelftest,
  scan: async (p, ctx) => (await import('../data/jobs')).runScanJob(p, ctx),
  prepare: async (p, ctx) => (await import('../data/jobs')).runPrepareJob(p, ctx),
  train: async (p, ctx) => (await import('../train/trainer')).runTraining(p, ctx),
  resume: async (p, ctx) => (await import('../train/trainer')).resumeTraining(p, ctx),
  deblur: async (p, ctx) => (await import('../infer/run-deblur')).runDeblur(p, ctx),
  evaluate: async (p, ctx) => (await import('../evaluate/run-evaluate')).runEvaluate(p, ctx),
  report: async (p, ctx) => (await import('../report/run-report')).runReport(p, ctx),
  export: async (p, ctx) => (await import('../export/onnx/run-export')).runExport(p, ctx),
  'export-pytorch': async (p, ctx) => (await import('../export/pytorch/export-folder')).runExportPytorch(p, ctx),
  'import-pytorch': async (p, ctx) => (await import('../import/pytorch/import-run')).runImportPytorch(p, ctx),
};
