export * from './shop';
export * from './warmup';
export * from './auth';
export * from './metrics';
export * from './freshness';
export * from './retention';
export * from './alerts';
