/**
 * The newest entries of a list that grows for a bot's life (fills, closed trades), numbered from the
 * bot's first: a rolling window plus the count of entries dropped, so a bot that runs for months holds
 * a bounded list while readers keep numbering from its start.
 */
export class RecentLog<T> {
  private items: T[] = [];

  constructor(
    /** Entries always held (at most twice as many are). */
    private readonly window: number,
    /** Entries before the first held one (after a restart: all those reported before it). */
    private dropped = 0,
  ) {
    if (!(Number.isInteger(window) && window > 0))
      throw new RangeError(`RecentLog: window must be a whole number > 0, got ${window}`);
  }

  push(item: T): void {
    this.items.push(item);
    // Trimmed by halves, so a push costs O(1) amortised instead of a shift per entry.
    if (this.items.length >= 2 * this.window) {
      const drop = this.items.length - this.window;
      this.items.splice(0, drop);
      this.dropped += drop;
    }
  }

  /** Number of the oldest entry held. */
  get first(): number {
    return this.dropped;
  }

  /** Entries ever pushed (restarts included): the number the next one gets. */
  get total(): number {
    return this.dropped + this.items.length;
  }

  get held(): readonly T[] {
    return this.items;
  }

  /** Held entries numbered `from` on (from the oldest held when those are gone), at most `limit`. */
  since(from: number, limit = Infinity): T[] {
    const start = Math.max(0, from - this.dropped);
    return this.items.slice(start, start + Math.min(limit, this.items.length));
  }
}
