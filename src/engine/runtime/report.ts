/**
 * The engine's names for what its runtime selection reports. Every type here is the contract's
 * (src/shared/contract/queries.ts, primitives.ts): the contract is the one declaration, and this
 * module only re-exports it, with the orders the selections try things in.
 */
import { backendName, inferRuntimeName, type BackendName, type InferRuntimeName } from '../../shared/contract';

export type { BackendAttempt, BackendName, InferAttempt, InferRuntimeName, InferRuntimeReport, RuntimeReport } from '../../shared/contract';

/** The backends selectRuntime knows, fastest first (the contract's enum is declared in this order). */
export const BACKEND_ORDER: readonly BackendName[] = backendName.options;

/** The inference runtimes, preferred first. */
export const INFER_RUNTIMES: readonly InferRuntimeName[] = inferRuntimeName.options;
