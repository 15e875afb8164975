/**
 * Channel names alone, without their schemas, so the preload bridge can build its allowlist without
 * bundling zod. contract.ts checks at compile time that its schema maps have exactly these keys.
 */
export const REQUEST_CHANNELS = [
  'app:info',
  'data:list',
  'bars:get',
  'strategies:list',
  'backtest:run',
  'optimize:start',
  'optimize:resume',
  'optimize:cancel',
  'optimize:list',
  'optimize:get',
  'optimize:approve',
  'optimize:delete',
  'walkforward:run',
  'job:cancel',
  'data:coverage',
  'data:quality',
  'data:import',
  'data:fetch',
  'data:export',
  'settings:keys-status',
  'settings:save-keys',
  'settings:clear-keys',
] as const;
export const EVENT_CHANNELS = ['job:progress', 'job:done', 'optimize:trial', 'optimize:progress'] as const;

export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];
