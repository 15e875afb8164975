import type { RegimeCompareResult, RegimeStudyResult } from '../../../shared/contract.ts';
import { formatInteger, formatNumber } from '../../format.ts';

const params = (p: Readonly<Record<string, number>>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/**
 * Each regime's set, or the global set and why it fell back: the Regimes panel's winners and comparison,
 * and a per-regime study's sets in the Optimize view's results.
 */
export function WinnersTable({
  result,
  testId,
}: {
  result: RegimeStudyResult | RegimeCompareResult;
  testId: string;
}) {
  const fellBack = result.regimes.filter((r) => r.fellBack).map((r) => r.label);
  return (
    <div data-testid={testId}>
      <div className="regime-note">
        Global set {params(result.global.params)} · {formatInteger(result.trialCount)} trials counted ·{' '}
        {fellBack.length === 0
          ? 'no regime fell back'
          : `fell back to the global set: ${fellBack.join(', ')}`}
      </div>
      <div className="regime-table-scroll">
        <table className="regime-table">
          <thead>
            <tr>
              <th>{result.axis}</th>
              <th>parameters</th>
              <th>trades</th>
              <th>Sharpe</th>
              <th>fallback</th>
            </tr>
          </thead>
          <tbody>
            {result.regimes.map((r) => (
              <tr key={r.label} data-regime={r.label} data-fell-back={r.fellBack}>
                <td>{r.label}</td>
                <td>{params(r.params)}</td>
                <td>{formatInteger(r.score.trades)}</td>
                <td>{formatNumber(r.score.sharpeRatio)}</td>
                <td className="regime-reason">{r.fellBack ? `global: ${r.reason ?? ''}` : 'own set'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
