/**
 * Argument checks shared by the kernels. They run once per call, before the bar loop, so a bad period
 * or a short output buffer fails fast with a message instead of silently producing NaN or garbage.
 */

export function checkPeriod(name: string, period: number, minimum = 1): void {
  if (!Number.isInteger(period) || period < minimum) {
    throw new RangeError(`${name}: period must be an integer >= ${minimum}, got ${period}`);
  }
}

export function checkOutput(name: string, length: number, ...outputs: readonly Float64Array[]): void {
  for (const out of outputs) {
    if (out.length < length) {
      throw new RangeError(`${name}: output buffer holds ${out.length} values, input has ${length}`);
    }
  }
}

/** TA-Lib's TA_IS_ZERO: values within 1e-8 of zero count as zero (used where TA-Lib divides). */
export const TA_EPSILON = 1e-8;
