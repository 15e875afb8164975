/**
 * Pareto machinery on loss vectors (every objective minimised): dominance, non-dominated sorting,
 * crowding distance (NSGA-II, Deb et al. 2002) and hypervolume (exact in 2-D by a sweep; in more
 * dimensions by WFG, While, Bradstreet & Barone 2012, which is exact and fast enough for the front
 * sizes a study produces: tens to a few hundred points).
 */

export type LossVector = readonly number[];

/** a dominates b: no worse in every objective and strictly better in one. */
export function dominates(a: LossVector, b: LossVector): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) strictly = true;
  }
  return strictly;
}

/** Fronts of indices into `points`, best first (Deb's fast non-dominated sort, O(M N^2)). */
export function nonDominatedFronts(points: readonly LossVector[]): number[][] {
  const n = points.length;
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  const fronts: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominating[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        dominating[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  }
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) fronts[0].push(i);
  let current = fronts[0];
  while (current.length > 0) {
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]!) {
        dominatedBy[j]!--;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    next.sort((a, b) => a - b);
    if (next.length > 0) fronts.push(next);
    current = next;
  }
  return n === 0 ? [] : fronts;
}

/** Crowding distance of each member of one front (same order as `front`); boundary points get Infinity. */
export function crowdingDistances(points: readonly LossVector[], front: readonly number[]): number[] {
  const distance = new Array<number>(front.length).fill(0);
  if (front.length === 0) return distance;
  const m = points[front[0]!]!.length;
  const order = front.map((_, k) => k);
  for (let obj = 0; obj < m; obj++) {
    order.sort((a, b) => points[front[a]!]![obj]! - points[front[b]!]![obj]! || a - b);
    const lo = points[front[order[0]!]!]![obj]!;
    const hi = points[front[order[order.length - 1]!]!]![obj]!;
    distance[order[0]!] = Infinity;
    distance[order[order.length - 1]!] = Infinity;
    const span = hi - lo;
    if (!(span > 0) || !Number.isFinite(span)) continue;
    for (let k = 1; k < order.length - 1; k++) {
      const prev = points[front[order[k - 1]!]!]![obj]!;
      const next = points[front[order[k + 1]!]!]![obj]!;
      distance[order[k]!]! += (next - prev) / span;
    }
  }
  return distance;
}

function hv2d(points: readonly LossVector[], ref: LossVector): number {
  const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let volume = 0;
  let bestY = ref[1]!;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (p[1]! >= bestY) continue;
    // Each new lower point adds the strip between its y and the best y so far, out to the reference x.
    volume += (ref[0]! - p[0]!) * (bestY - p[1]!);
    bestY = p[1]!;
  }
  return volume;
}

function nonDominated(points: LossVector[]): LossVector[] {
  const out: LossVector[] = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let j = 0; j < points.length && !dominated; j++) {
      if (j === i) continue;
      const a = points[j]!;
      const b = points[i]!;
      if (dominates(a, b)) dominated = true;
      // Keep one of a set of identical points.
      else if (j < i && a.every((v, k) => v === b[k])) dominated = true;
    }
    if (!dominated) out.push(points[i]!);
  }
  return out;
}

function wfg(points: LossVector[], ref: LossVector): number {
  if (points.length === 0) return 0;
  if (ref.length === 2) return hv2d(points, ref);
  if (points.length === 1) return inclusive(points[0]!, ref);
  // Sorting on the last objective (worst first) keeps the limit sets small (the WFG paper's ordering).
  const sorted = [...points].sort((a, b) => b[b.length - 1]! - a[a.length - 1]!);
  let volume = 0;
  for (let k = 0; k < sorted.length; k++) {
    const pk = sorted[k]!;
    const limited: LossVector[] = [];
    for (let j = k + 1; j < sorted.length; j++) {
      const q = sorted[j]!;
      limited.push(pk.map((v, i) => Math.max(v, q[i]!)));
    }
    volume += inclusive(pk, ref) - wfg(nonDominated(limited), ref);
  }
  return volume;
}

function inclusive(p: LossVector, ref: LossVector): number {
  let v = 1;
  for (let i = 0; i < p.length; i++) v *= ref[i]! - p[i]!;
  return v;
}

/**
 * Hypervolume dominated by `points` (losses) and bounded by `reference` (worse than every point of
 * interest). Points not strictly better than the reference in every objective contribute nothing.
 */
export function hypervolume(points: readonly LossVector[], reference: LossVector): number {
  const m = reference.length;
  const inside = points.filter(
    (p) => p.length === m && p.every((v, i) => Number.isFinite(v) && v < reference[i]!),
  );
  if (inside.length === 0) return 0;
  if (m === 1) return reference[0]! - Math.min(...inside.map((p) => p[0]!));
  return wfg(nonDominated(inside.map((p) => [...p])), reference);
}
