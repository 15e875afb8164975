/**
 * The standard normal distribution, needed by the probabilistic and deflated Sharpe ratios. Written out
 * here (rather than pulled from a statistics package) so that core stays dependency-free and the
 * numbers are identical in workers, main and the renderer.
 */

const SQRT_2PI = 2.5066282746310002;

/**
 * exp(-z²/2) without the rounding of z² blowing up in the tail: z is split into a part with few bits
 * (whose square is exact) and a small remainder (W. J. Cody's trick), keeping ~1e-16 relative accuracy
 * out to z = 37 instead of ~1e-13.
 */
function gaussianKernel(z: number): number {
  const high = Math.trunc(z * 16) / 16;
  return Math.exp(-0.5 * high * high) * Math.exp(-0.5 * (z - high) * (z + high));
}

/** Terms of the tail continued fraction: enough for double precision from |x| = 2.5 outwards. */
const TAIL_FRACTION_TERMS = 100;

/**
 * Standard normal CDF Φ(x). The smaller tail is evaluated directly (never as 1 − something), so tiny
 * probabilities keep their relative accuracy: Φ(−8) ≈ 6.2e-16 comes out to ~1e-15 relative.
 *  - |x| < 2.5: Hart (1968) double-precision rational approximation as given by G. West, "Better
 *    approximations to cumulative normal functions" (Wilmott, 2005); relative error below 5e-15 there.
 *  - |x| ≥ 2.5: Laplace's continued fraction for the Mills ratio, Q(z) = φ(z) / (z + 1/(z + 2/(z + …))),
 *    evaluated bottom-up; Hart's form degrades to ~1e-10 relative by |x| = 5, the fraction does not.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  let tail: number;
  if (z > 38.5) {
    tail = 0;
  } else if (z < 2.5) {
    let num = 3.52624965998911e-2 * z + 0.700383064443688;
    num = num * z + 6.37396220353165;
    num = num * z + 33.912866078383;
    num = num * z + 112.079291497871;
    num = num * z + 221.213596169931;
    num = num * z + 220.206867912376;
    let den = 8.83883476483184e-2 * z + 1.75566716318264;
    den = den * z + 16.064177579207;
    den = den * z + 86.7807322029461;
    den = den * z + 296.564248779674;
    den = den * z + 637.333633378831;
    den = den * z + 793.826512519948;
    den = den * z + 440.413735824752;
    tail = (gaussianKernel(z) * num) / den;
  } else {
    let fraction = z;
    for (let k = TAIL_FRACTION_TERMS; k >= 1; k--) fraction = z + k / fraction;
    tail = gaussianKernel(z) / fraction / SQRT_2PI;
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * Inverse standard normal CDF Φ⁻¹(p), Wichura's algorithm AS241 (PPND16, Applied Statistics 37(3),
 * 1988), relative accuracy about 1e-16; the same algorithm as Python's statistics.NormalDist.inv_cdf.
 * Returns -Infinity at 0, Infinity at 1 and NaN outside [0, 1] so callers can test the limits
 * (the deflated Sharpe ratio with one trial needs Φ⁻¹(0)).
 */
export function normalInverseCdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    const num =
      (((((((2509.0809287301227 * r + 33430.57558358813) * r + 67265.7709270087) * r + 45921.95393154987) *
        r +
        13731.69376550946) *
        r +
        1971.5909503065513) *
        r +
        133.14166789178438) *
        r +
        3.3871328727963665) *
      q;
    const den =
      ((((((5226.495278852546 * r + 28729.085735721943) * r + 39307.89580009271) * r + 21213.794301586597) *
        r +
        5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
      1;
    return num / den;
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    const num =
      ((((((0.0007745450142783414 * r + 0.022723844989269184) * r + 0.2417807251774506) * r +
        1.2704582524523684) *
        r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
      1.4234371107496835;
    const den =
      ((((((1.0507500716444169e-9 * r + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) *
        r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
      1;
    x = num / den;
  } else {
    r -= 5;
    const num =
      ((((((2.0103343992922881e-7 * r + 2.7115555687434876e-5) * r + 0.0012426609473880784) * r +
        0.026532189526576124) *
        r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
      6.657904643501103;
    const den =
      ((((((2.0442631033899397e-15 * r + 1.421511758316446e-7) * r + 1.8463183175100548e-5) * r +
        0.0007868691311456133) *
        r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
      1;
    x = num / den;
  }
  return q < 0 ? -x : x;
}
