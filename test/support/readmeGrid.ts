/** The README's 50-combination sma-cross grid (issue 8 item 12's figure), as `regimen` arguments. */
export function readmeGridArgs(csv: string): string[] {
  return [
    'optimize',
    '--csv',
    csv,
    '--strategy',
    'sma-cross',
    '--space',
    'fast=5:25:5',
    '--space',
    'slow=10:65:5',
    '--constraint',
    'fast<slow',
    '--sampler',
    'grid',
    '--objective',
    'finalEquity',
    '--commission',
    '0.2',
  ];
}
