import type { ExitReason, TradeLog } from './types.ts';

/** What was known when a position opened: its protective levels and why it was entered (NaN/0: none). */
export interface EntryFacts {
  stopLoss: number;
  takeProfit: number;
  signals: number;
  confidence: number;
}

export function createTradeLog(capacity = 64): TradeLog {
  const n = Math.max(1, capacity);
  return {
    count: 0,
    entryIndex: new Int32Array(n),
    exitIndex: new Int32Array(n),
    entryTime: new Float64Array(n),
    exitTime: new Float64Array(n),
    entryPrice: new Float64Array(n),
    exitPrice: new Float64Array(n),
    size: new Float64Array(n),
    pnl: new Float64Array(n),
    returnPct: new Float64Array(n),
    commission: new Float64Array(n),
    exitReason: new Uint8Array(n),
    stopLoss: new Float64Array(n),
    takeProfit: new Float64Array(n),
    entrySignals: new Uint32Array(n),
    entryConfidence: new Float64Array(n),
  };
}

/** A copy of `column` with room for `capacity` values (the growth step of every structure-of-arrays log). */
export function grow<T extends Int32Array | Int8Array | Float64Array | Uint8Array | Uint32Array>(
  column: T,
  capacity: number,
): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column);
  return next;
}

/** Doubles every column's capacity; amortised O(1) per trade and rare (trades are far fewer than bars). */
function ensureCapacity(log: TradeLog): void {
  if (log.count < log.entryIndex.length) return;
  const capacity = log.entryIndex.length * 2;
  log.entryIndex = grow(log.entryIndex, capacity);
  log.exitIndex = grow(log.exitIndex, capacity);
  log.entryTime = grow(log.entryTime, capacity);
  log.exitTime = grow(log.exitTime, capacity);
  log.entryPrice = grow(log.entryPrice, capacity);
  log.exitPrice = grow(log.exitPrice, capacity);
  log.size = grow(log.size, capacity);
  log.pnl = grow(log.pnl, capacity);
  log.returnPct = grow(log.returnPct, capacity);
  log.commission = grow(log.commission, capacity);
  log.exitReason = grow(log.exitReason, capacity);
  log.stopLoss = grow(log.stopLoss, capacity);
  log.takeProfit = grow(log.takeProfit, capacity);
  log.entrySignals = grow(log.entrySignals, capacity);
  log.entryConfidence = grow(log.entryConfidence, capacity);
}

export function appendTrade(
  log: TradeLog,
  entryIndex: number,
  exitIndex: number,
  entryTime: number,
  exitTime: number,
  entryPrice: number,
  exitPrice: number,
  size: number,
  pnl: number,
  commission: number,
  exitReason: ExitReason,
  entry: EntryFacts,
): void {
  ensureCapacity(log);
  const k = log.count++;
  log.entryIndex[k] = entryIndex;
  log.exitIndex[k] = exitIndex;
  log.entryTime[k] = entryTime;
  log.exitTime[k] = exitTime;
  log.entryPrice[k] = entryPrice;
  log.exitPrice[k] = exitPrice;
  log.size[k] = size;
  log.pnl[k] = pnl;
  log.returnPct[k] = pnl / (Math.abs(size) * entryPrice);
  log.commission[k] = commission;
  log.exitReason[k] = exitReason;
  log.stopLoss[k] = entry.stopLoss;
  log.takeProfit[k] = entry.takeProfit;
  log.entrySignals[k] = entry.signals;
  log.entryConfidence[k] = entry.confidence;
}

/** A copy trimmed to `count`, for results that must outlive a reused workspace. */
export function copyTradeLog(log: TradeLog): TradeLog {
  const n = log.count;
  return {
    count: n,
    entryIndex: log.entryIndex.slice(0, n),
    exitIndex: log.exitIndex.slice(0, n),
    entryTime: log.entryTime.slice(0, n),
    exitTime: log.exitTime.slice(0, n),
    entryPrice: log.entryPrice.slice(0, n),
    exitPrice: log.exitPrice.slice(0, n),
    size: log.size.slice(0, n),
    pnl: log.pnl.slice(0, n),
    returnPct: log.returnPct.slice(0, n),
    commission: log.commission.slice(0, n),
    exitReason: log.exitReason.slice(0, n),
    stopLoss: log.stopLoss.slice(0, n),
    takeProfit: log.takeProfit.slice(0, n),
    entrySignals: log.entrySignals.slice(0, n),
    entryConfidence: log.entryConfidence.slice(0, n),
  };
}

/** One trade as a plain object, for JSON output and UI lists (not for hot paths). */
export interface TradeRecord {
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  size: number;
  pnl: number;
  returnPct: number;
  commission: number;
  exitReason: ExitReason;
  /** Levels in force at entry; NaN: none. */
  stopLoss: number;
  takeProfit: number;
  /** Bit mask over the strategy's `signals` (0: not recorded). */
  entrySignals: number;
  /** NaN: not scored. */
  entryConfidence: number;
}

/** Trade k of the log as a plain object. */
export function tradeRecord(log: TradeLog, k: number): TradeRecord {
  return {
    entryIndex: log.entryIndex[k],
    exitIndex: log.exitIndex[k],
    entryTime: log.entryTime[k],
    exitTime: log.exitTime[k],
    entryPrice: log.entryPrice[k],
    exitPrice: log.exitPrice[k],
    size: log.size[k],
    pnl: log.pnl[k],
    returnPct: log.returnPct[k],
    commission: log.commission[k],
    exitReason: log.exitReason[k] as ExitReason,
    stopLoss: log.stopLoss[k],
    takeProfit: log.takeProfit[k],
    entrySignals: log.entrySignals[k],
    entryConfidence: log.entryConfidence[k],
  };
}

export function tradeRecords(log: TradeLog): TradeRecord[] {
  const records: TradeRecord[] = [];
  for (let k = 0; k < log.count; k++) records.push(tradeRecord(log, k));
  return records;
}
