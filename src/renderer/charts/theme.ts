/** The terminal palette, shared by the charts (canvas) and mirrored in styles.css (DOM). */
export const palette = {
  background: '#0b0e11',
  panel: '#11151b',
  grid: '#1c232c',
  axis: '#2a333e',
  text: '#c5ced8',
  muted: '#6c7886',
  up: '#26a69a',
  down: '#ef5350',
  accent: '#f0b90b',
  equity: '#4ea1ff',
  volumeUp: 'rgba(38, 166, 154, 0.45)',
  volumeDown: 'rgba(239, 83, 80, 0.45)',
} as const;

export const monoFont =
  "ui-monospace, 'SF Mono', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace";

export const axisLabel = { color: palette.muted, fontFamily: monoFont, fontSize: 10 };
export const splitLine = { lineStyle: { color: palette.grid } };
export const axisLine = { lineStyle: { color: palette.axis } };

export const tooltipBase = {
  backgroundColor: 'rgba(17, 21, 27, 0.96)',
  borderColor: palette.axis,
  borderWidth: 1,
  padding: [6, 8] as [number, number],
  textStyle: { color: palette.text, fontFamily: monoFont, fontSize: 11 },
  // The tooltip body is built from numbers and fixed labels only, with classes rather than inline styles
  // (the CSP forbids style attributes).
  className: 'chart-tooltip',
};

/** What every chart starts from: drawn on the panel's own background, no animation, the mono font. */
export function baseOption() {
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { fontFamily: monoFont },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One key and value line of a tooltip body, both escaped. */
export function tooltipRow(key: string, value: string): string {
  return `<div class="tt-row"><span class="tt-key">${escapeHtml(key)}</span><span>${escapeHtml(value)}</span></div>`;
}

/** 1234567 -> "1.23M". */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}
