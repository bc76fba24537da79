import type { JobHandlers } from './runner';
import { runSelftest } from '../selftest/selftest';

/**
 * The engine's job table: contract job type → handler. Handlers are imported lazily where they pull in
 * heavy modules, so the engine answers `runtime.info` quickly after start.
 */
export const jobHandlers: JobHandlers = {
  selftest: runSelftest,
};
