/**
 * What `npm start` opens: the desktop app when Electron can run here, otherwise the same app served to a
 * browser, with the reason said plainly (a missing binary has three causes, each with its own remedy, and
 * only one of them is a headless install).
 */

/** What the launcher found on this machine. */
export interface LaunchFacts {
  /** process.versions.node */
  nodeVersion: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The Node range Electron's installer declares (its package.json `engines.node`, e.g. ">= 22.12.0"). */
  electronNodeRange: string;
  /** Electron's binary when it is installed, undefined when it is not. */
  electronBinary: string | undefined;
}

export type LaunchPlan = { mode: 'desktop'; binary: string } | { mode: 'browser'; reason: string };

/** The lowest version a ">= 22.12.0"-style range admits, as [major, minor, patch]. */
export function minimumOf(range: string): [number, number, number] {
  const match = /^\s*>=?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range);
  if (!match) throw new Error(`cannot read a minimum Node version from "${range}"`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** True when `version` ("20.19.0" or "v22.12.1") is `minimum` or later. */
export function isAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const have = parts[i] ?? 0;
    const need = minimum[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

const BROWSER = 'serving the app to a browser instead (open the URL printed below)';

export function launchPlan(facts: LaunchFacts): LaunchPlan {
  const minimum = minimumOf(facts.electronNodeRange);
  const needed = minimum.slice(0, 2).join('.');
  if (facts.electronBinary === undefined) {
    if (facts.env['ELECTRON_SKIP_BINARY_DOWNLOAD'])
      return {
        mode: 'browser',
        reason: `Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set, as on a headless box): ${BROWSER}.`,
      };
    if (!isAtLeast(facts.nodeVersion, minimum))
      return {
        mode: 'browser',
        reason:
          `Electron's binary is not installed: its installer needs Node ${needed} or later and this is ` +
          `Node ${facts.nodeVersion} (.nvmrc names the version to use; then run \`npm rebuild electron\`): ${BROWSER}.`,
      };
    return {
      mode: 'browser',
      reason:
        "Electron's binary is not installed: its postinstall did not run or could not download it " +
        `(run \`npm rebuild electron\`; package.json's allowScripts lets npm run it): ${BROWSER}.`,
    };
  }
  if (facts.platform === 'linux' && !facts.env['DISPLAY'] && !facts.env['WAYLAND_DISPLAY'])
    return {
      mode: 'browser',
      reason: `No display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set): ${BROWSER}.`,
    };
  return { mode: 'desktop', binary: facts.electronBinary };
}
