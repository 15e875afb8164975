/**
 * bin/regimen.js runs the compiled CLI only while no source it was compiled from has changed since the
 * build; it checks the sources the build lists (out/cli/inputs.json), not every file under src/.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compiledIsFresh as fresh } from '../../bin/freshness.js';

describe('the compiled CLI’s freshness', () => {
  let root: string;
  const BUILT = new Date('2026-01-02T00:00:00Z');
  const at = (path: string, time: Date): void => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    utimesSync(file, time, time);
  };

  beforeEach(() => {
    root = `${mkdtempSync(join(tmpdir(), 'regimen-fresh-'))}/`;
    const before = new Date('2026-01-01T00:00:00Z');
    for (const path of ['src/main/cli/main.ts', 'src/core/a.ts', 'package.json', 'vite.cli.config.ts'])
      at(path, before);
    at('out/cli/main.js', BUILT);
    writeFileSync(
      join(root, 'out/cli/inputs.json'),
      JSON.stringify(['src/main/cli/main.ts', 'src/core/a.ts']),
    );
    utimesSync(join(root, 'out/cli/inputs.json'), BUILT, BUILT);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs the build when its inputs are older, whatever else under src/ changed since', () => {
    at('src/main/electron/window.ts', new Date('2026-02-01T00:00:00Z'));
    at('src/core/a.test.ts', new Date('2026-02-01T00:00:00Z'));
    expect(fresh(root)).toBe(true);
  });

  it('runs the sources when a listed input, package.json or the build config is newer', () => {
    for (const path of ['src/core/a.ts', 'package.json', 'vite.cli.config.ts']) {
      at(path, new Date('2026-02-01T00:00:00Z'));
      expect(fresh(root), path).toBe(false);
      at(path, new Date('2026-01-01T00:00:00Z'));
    }
    expect(fresh(root)).toBe(true);
  });

  it('runs the sources when a listed input is gone, or the build or its list is missing', () => {
    rmSync(join(root, 'src/core/a.ts'));
    expect(fresh(root)).toBe(false);
    at('src/core/a.ts', new Date('2026-01-01T00:00:00Z'));
    rmSync(join(root, 'out/cli/inputs.json'));
    expect(fresh(root)).toBe(false);
    rmSync(join(root, 'out/cli/main.js'));
    expect(fresh(root)).toBe(false);
  });
});
