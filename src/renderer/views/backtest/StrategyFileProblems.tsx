import { useEffect, useState } from 'react';
import type { RequestOutput } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';

type Problems = RequestOutput<'strategies:problems'>;

/**
 * The data folder's strategy files that were left out (at start or the last reload), each as a compiler says it (file, line,
 * what): the other strategies run as usual, and this says why one the user wrote is not in the list.
 */
export function StrategyFileProblems() {
  const client = useApp((s) => s.client);
  const [problems, setProblems] = useState<Problems>([]);
  useEffect(() => {
    let live = true;
    // Without the list the panel still works: a failed request shows nothing rather than a second error.
    client.invoke('strategies:problems', {}).then(
      (list) => live && setProblems(list),
      () => undefined,
    );
    // A reload (this window's button, another window's or the CLI's) says what is broken now.
    const stop = client.on('strategies:changed', (state) => live && setProblems(state.problems));
    return () => {
      live = false;
      stop();
    };
  }, [client]);
  if (problems.length === 0) return null;
  return (
    <div className="strategy-problems error-text" role="alert" data-testid="strategy-problems">
      <div>Strategy files left out:</div>
      <ul>
        {problems.map((p) => (
          <li key={`${p.file}:${p.line ?? ''}`}>
            <code>
              {p.file}
              {p.line === undefined ? '' : `:${p.line}${p.column === undefined ? '' : `:${p.column}`}`}
            </code>{' '}
            {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
