/**
 * Issue 10 item 18: the Node version the project declares is the one Electron's installer needs, the
 * README and .nvmrc say the same, npm is allowed to run Electron's postinstall, and when the binary is
 * missing `npm start` says why in words that match those declarations.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAtLeast, launchPlan, minimumOf, type LaunchFacts } from '../../scripts/desktopLaunch.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface PackageJson {
  engines?: { node?: string };
  allowScripts?: Record<string, boolean>;
  scripts?: Record<string, string>;
}

const project = JSON.parse(read('package.json')) as PackageJson;
const electronRange = (
  JSON.parse(
    readFileSync(createRequire(join(ROOT, 'package.json')).resolve('electron/package.json'), 'utf8'),
  ) as PackageJson
).engines?.node;

const facts = (patch: Partial<LaunchFacts>): LaunchFacts => ({
  nodeVersion: '22.12.0',
  platform: 'linux',
  env: { DISPLAY: ':0' },
  electronNodeRange: electronRange ?? '',
  electronBinary: '/electron/dist/electron',
  ...patch,
});

describe('the Node and npm the desktop app needs', () => {
  it("package.json's engines ask for the Node Electron's installer needs, and .nvmrc picks one", () => {
    expect(electronRange).toBeDefined();
    const needed = minimumOf(electronRange ?? '');
    expect(minimumOf(project.engines?.node ?? '')).toEqual(needed);
    const nvmrc = read('.nvmrc').trim();
    expect(Number(nvmrc.split('.')[0])).toBeGreaterThanOrEqual(needed[0]);
    if (nvmrc.includes('.')) expect(isAtLeast(nvmrc, needed)).toBe(true);
  });

  it("npm may run Electron's postinstall (allowScripts), and the README says which Node and why", () => {
    expect(project.allowScripts?.['electron']).toBe(true);
    const [major, minor] = minimumOf(project.engines?.node ?? '');
    const readme = read('README.md');
    expect(readme).toContain(`Node ${major}.${minor} or later`);
    expect(readme).toContain('.nvmrc');
    expect(readme).toContain('allowScripts');
    expect(readme).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install');
  });

  it('with Electron installed and a display, npm start opens the desktop app', () => {
    expect(launchPlan(facts({}))).toEqual({ mode: 'desktop', binary: '/electron/dist/electron' });
    expect(launchPlan(facts({ platform: 'darwin', env: {} })).mode).toBe('desktop');
  });

  it('without the binary it serves to a browser and names the cause, with the version the README names', () => {
    const [major, minor] = minimumOf(project.engines?.node ?? '');
    const oldNode = launchPlan(facts({ nodeVersion: '20.19.0', electronBinary: undefined }));
    expect(oldNode.mode).toBe('browser');
    const reason = oldNode.mode === 'browser' ? oldNode.reason : '';
    expect(reason).toContain(`needs Node ${major}.${minor} or later and this is Node 20.19.0`);
    expect(reason).toContain('npm rebuild electron');
    expect(reason).not.toContain('headless');

    const skipped = launchPlan(
      facts({
        nodeVersion: '20.19.0',
        electronBinary: undefined,
        env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      }),
    );
    expect(skipped.mode === 'browser' && skipped.reason).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set');

    const blocked = launchPlan(facts({ electronBinary: undefined }));
    expect(blocked.mode === 'browser' && blocked.reason).toContain('postinstall did not run');

    const noDisplay = launchPlan(facts({ env: {} }));
    expect(noDisplay.mode === 'browser' && noDisplay.reason).toContain('No display');
  });

  it('npm start runs the launcher that decides this', () => {
    expect(project.scripts?.['start']).toBe('tsx scripts/start.ts');
    expect(read('scripts/start.ts')).toContain('launchPlan(');
  });
});
