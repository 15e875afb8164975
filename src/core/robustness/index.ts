/** Public surface of the robustness layer: import from here rather than from the individual files. */
export * from './monteCarlo.ts';
