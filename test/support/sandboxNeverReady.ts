/**
 * Imported (`--import`) by a test's worker, and so by each sandbox child it forks: a sandbox, the only
 * one of them with an IPC channel to a parent, never finishes loading, as one stuck on a slow disk or
 * a hung mount; the worker itself starts as usual. It waits without spinning, and leaves with its
 * worker (a test that fails must not leave it behind).
 */
export const loading: Promise<void> | undefined =
  process.send === undefined
    ? undefined
    : new Promise(() => {
        process.on('disconnect', () => process.exit(0));
        setInterval(() => undefined, 60_000);
      });
await loading;
