/**
 * Bars travel to remote workers through Redis, stored once by the coordinator under their content
 * fingerprint (six float64 columns back to back, 48 bytes a bar) and read once by each worker process,
 * which checks the fingerprint before trusting them. Chosen over an HTTP fetch from the coordinator:
 * workers then need one address (Redis, already secured with a password and TLS), and a coordinator
 * behind a NAT or restarted mid-study is not in the way.
 */
import type { Redis } from 'ioredis';
import { allocateBars, BAR_FIELDS, type Bars } from '../../../core/data/bars.ts';
import { datasetFingerprint } from '../fingerprint.ts';
import { barsKey } from './names.ts';

/** Bars stay a week after their last study used them; every study's start refreshes them. */
const BARS_TTL_SECONDS = 7 * 24 * 3600;

export function encodeBars(bars: Bars): Buffer {
  const n = bars.t.length;
  const out = Buffer.alloc(n * 8 * BAR_FIELDS.length);
  BAR_FIELDS.forEach((field, i) => {
    const column = bars[field];
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), i * n * 8);
  });
  return out;
}

export function decodeBars(buffer: Buffer): Bars {
  const width = 8 * BAR_FIELDS.length;
  if (buffer.length % width !== 0)
    throw new Error(`stored bars are ${buffer.length} bytes, not a multiple of ${width}`);
  const n = buffer.length / width;
  const bars = allocateBars(n, true);
  BAR_FIELDS.forEach((field, i) => {
    new Uint8Array(bars[field].buffer).set(buffer.subarray(i * n * 8, (i + 1) * n * 8));
  });
  return bars;
}

/** Stores the bars unless they are there already (one round trip when they are). */
export async function putBars(redis: Redis, fingerprint: string, bars: Bars): Promise<void> {
  const key = barsKey(fingerprint);
  if ((await redis.expire(key, BARS_TTL_SECONDS)) === 1) return;
  await redis.set(key, encodeBars(bars), 'EX', BARS_TTL_SECONDS);
}

/** The bars of a fingerprint, checked against it; an error names what is missing or wrong. */
export async function getBars(redis: Redis, fingerprint: string): Promise<Bars> {
  const buffer = await redis.getBuffer(barsKey(fingerprint));
  if (buffer === null)
    throw new Error(`dataset ${fingerprint.slice(0, 12)}… is not in Redis (its coordinator stores it again)`);
  const bars = decodeBars(buffer);
  const actual = datasetFingerprint(bars);
  if (actual !== fingerprint)
    throw new Error(`dataset ${fingerprint.slice(0, 12)}… in Redis has fingerprint ${actual.slice(0, 12)}…`);
  return bars;
}
