/** Moved to the contract (src/shared/contract/evaluation.ts: the renderer reads evaluations too); kept so the engine's importers need no churn. */
export * from '../../shared/contract/evaluation';
