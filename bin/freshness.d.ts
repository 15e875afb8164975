/** True when `${root}out/cli/main.js` was built after every input it lists (root ends with a slash). */
export function compiledIsFresh(root: string): boolean;
