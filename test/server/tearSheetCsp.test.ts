/**
 * The tear sheet in the app's frame (issue 15 item 4): the frame inherits the page's content security
 * policy, which forbids inline styles, so the sheet's stylesheet was blocked (a console error per page,
 * an unstyled sheet). The policy now admits exactly that stylesheet by its hash, and the sheet uses no
 * style attribute (which a hash cannot admit without 'unsafe-hashes').
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/data/calendar.ts';
import { backtestTearSheet } from '../../src/main/services/tearSheet.ts';
import { TEAR_SHEET_STYLE, TEAR_SHEET_STYLE_HASH, tearSheetHtml } from '../../src/shared/tearSheetHtml.ts';

/** Two years of daily equity that swings by ±15 % a month, so every shade of the heatmap is used. */
function page(): string {
  const n = 730;
  const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2022, 0, 1) + i * DAY_MS);
  const equity = Float64Array.from({ length: n }, (_, i) => 10_000 * (1 + 0.3 * Math.sin(i / 9)));
  const closes = Float64Array.from({ length: n }, (_, i) => 100 + i / 10);
  const sheet = backtestTearSheet(t, equity, 10_000, { label: 'X buy & hold', values: closes });
  return tearSheetHtml({ title: 'x', subtitle: 'y', metrics: { sharpeRatio: 1 }, sheet });
}

describe('the tear sheet under the app’s content security policy', () => {
  it('admits the sheet’s one stylesheet by the hash every policy names', () => {
    const hash = `'sha256-${createHash('sha256').update(TEAR_SHEET_STYLE, 'utf8').digest('base64')}'`;
    expect(TEAR_SHEET_STYLE_HASH).toBe(hash);
    const html = page();
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toEqual([TEAR_SHEET_STYLE]);
    // The page's meta policy (the served page and Electron's headers build theirs from the constant).
    const index = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    expect(/style-src ([^;]*);/.exec(index)?.[1]).toBe(`'self' ${hash}`);
  });

  it('shades the monthly heatmap with classes, never a style attribute', () => {
    const html = page();
    expect(html).not.toMatch(/\sstyle=/);
    const shades = new Set([...html.matchAll(/<td class="(?:total )?(h[pn]\d+)"/g)].map((m) => m[1]));
    expect(shades.size).toBeGreaterThan(4);
    for (const shade of shades) expect(TEAR_SHEET_STYLE).toContain(`.${shade}{background:rgb(`);
  });
});
