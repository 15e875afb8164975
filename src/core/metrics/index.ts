/** Public surface of the metrics layer: import from here rather than from the individual files. */
export * from './metrics.ts';
export * from './definitions.ts';
export * from './overfitting.ts';
export * from './periods.ts';
