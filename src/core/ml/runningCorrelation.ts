/**
 * Pearson correlation of a stream of pairs, exponentially weighted so it follows the last `memory`
 * pairs or so (a running mean until then): how well a signal has tracked an outcome lately.
 */
export class RunningCorrelation {
  private count = 0;
  private meanX = 0;
  private meanY = 0;
  private varX = 0;
  private varY = 0;
  private covXY = 0;

  constructor(readonly memory: number) {
    if (!(Number.isInteger(memory) && memory >= 2))
      throw new RangeError(`a running correlation needs an integer memory of at least 2, got ${memory}`);
  }

  push(x: number, y: number): void {
    this.count++;
    const a = 1 / Math.min(this.count, this.memory);
    const dx = x - this.meanX;
    const dy = y - this.meanY;
    this.meanX += a * dx;
    this.meanY += a * dy;
    this.varX = (1 - a) * (this.varX + a * dx * dx);
    this.varY = (1 - a) * (this.varY + a * dy * dy);
    this.covXY = (1 - a) * (this.covXY + a * dx * dy);
  }

  /** In [-1, 1]; 0 while either side has not varied. */
  get correlation(): number {
    return this.varX > 0 && this.varY > 0 ? this.covXY / Math.sqrt(this.varX * this.varY) : 0;
  }

  toState(): number[] {
    return [this.count, this.meanX, this.meanY, this.varX, this.varY, this.covXY];
  }

  static of(memory: number, state: readonly number[]): RunningCorrelation {
    const c = new RunningCorrelation(memory);
    [c.count, c.meanX, c.meanY, c.varX, c.varY, c.covXY] = state as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return c;
  }
}
