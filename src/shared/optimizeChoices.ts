/**
 * The optimizer's vocabulary as plain data, without the schemas, so the renderer and the CLI can offer
 * the choices without bundling zod. optimizeContract.ts builds its enums and bounds from these.
 */

/** The most trials one `optimize:get` answers with: a study's trials are read a page at a time. */
export const TRIALS_PAGE_LIMIT = 5_000;
