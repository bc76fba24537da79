export * from './primitives';
export * from './errors';
export * from './jobs';
export * from './events';
export * from './queries';
export * from './run-history';
export * from './messages';
export * from './api';
