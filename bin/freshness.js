// Whether the compiled CLI (out/cli) may run: built, and no source it was compiled from is newer than
// the build. The build lists those sources in out/cli/inputs.json (vite.cli.config.ts), so only they are
// checked: a file none of them imports cannot change what runs, and a new import edits a listed file.
import { readFileSync, statSync } from 'node:fs';

function mtime(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
}

/** True when `${root}out/cli/main.js` was built after every input it lists (root ends with a slash). */
export function compiledIsFresh(root) {
  const builtAt = statSync(`${root}out/cli/main.js`, { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt === undefined) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(`${root}out/cli/inputs.json`, 'utf8'));
  } catch {
    return false;
  }
  // A deleted input reads as infinitely new: the sources decide.
  for (const path of [...inputs, 'package.json', 'vite.cli.config.ts'])
    if (mtime(`${root}${path}`) > builtAt) return false;
  return true;
}
