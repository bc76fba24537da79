/** Moved to the contract (the renderer reads evaluations too); kept here so the engine's importers need no churn. */
export * from '../../shared/contract/image-data-url';
