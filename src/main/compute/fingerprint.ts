import { createHash } from 'node:crypto';
import type { Bars } from '../../core/data/bars.ts';

/**
 * SHA-256 over the bar count and the six columns' bytes: the id of a dataset. Hashing every value (not a
 * sample) is what lets a worker on another machine trust it as a content address; it costs about as
 * much as reading the bars from the cache.
 */
export function datasetFingerprint(bars: Bars): string {
  const hash = createHash('sha256');
  hash.update(`bars:${bars.t.length}:`);
  for (const column of [bars.t, bars.o, bars.h, bars.l, bars.c, bars.v]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/** One fingerprint for several datasets read together (a study's timeframes): a single one stays as it is. */
export function combinedFingerprint(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : createHash('sha256').update(parts.join('|')).digest('hex');
}
