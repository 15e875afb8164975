/**
 * The workspaces, one tab each, in tab order. Each view folder declares its tab in `<folder>/view.ts`
 * (data only, so the store can check a kept tab id without importing React components) and adds one
 * line here; AppShell maps every id to its component, and fails to type-check while one is missing.
 */
import { backtestView } from './backtest/view.ts';
import { compareView } from './compare/view.ts';
import { dataView } from './data/view.ts';
import { learnerView } from './learner/view.ts';
import { liveView } from './live/view.ts';
import { optimizeView } from './optimize/view.ts';
import { settingsView } from './settings/view.ts';

export const VIEWS = [
  backtestView,
  optimizeView,
  compareView,
  dataView,
  liveView,
  learnerView,
  settingsView,
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export function isViewId(value: unknown): value is ViewId {
  return VIEWS.some((view) => view.id === value);
}
