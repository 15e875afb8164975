/**
 * 300 daily bars on a slow wave, as CSV, so moving averages cross (for CLI tests that import a file);
 * another `phase` gives another symbol's bars on the same days.
 */
export function dailyWaveCsv(phase = 0): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 300; i++) {
    const close = 100 + 8 * Math.sin(i / 15 + phase) + i * 0.02;
    const day = new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString();
    lines.push(`${day},${close},${close + 0.5},${close - 0.5},${close},1000`);
  }
  return `${lines.join('\n')}\n`;
}
