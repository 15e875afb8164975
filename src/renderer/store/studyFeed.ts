import type {
  OptimizeProgressEvent,
  OptimizeTrialEvent,
  StudyDetail,
  TrialRow,
} from '../../shared/contract.ts';

/** Charts and the table are redrawn at most this often, however fast trials arrive. */
export const FLUSH_INTERVAL_MS = 250;

/** Events that arrive while `optimize:start` is in flight are held until the study id is known. */
export const MAX_HELD_TRIAL_EVENTS = 20_000;

const TERMINAL_STATES: ReadonlySet<string> = new Set(['complete', 'cancelled', 'failed']);

export function isTerminal(state: string | undefined): boolean {
  return state !== undefined && TERMINAL_STATES.has(state);
}

/** What the store receives from a flush: only the parts that changed since the last one. */
export interface FeedPatch {
  /** Every trial of the study on screen, sorted by number. */
  trials?: TrialRow[];
  progress?: OptimizeProgressEvent | null;
}

/**
 * The trials and progress of the study on screen, as they arrive from `optimize:trial`,
 * `optimize:progress` and `optimize:get`. It merges them by trial number and hands the store a sorted
 * copy at most every `intervalMs`, so charts are not redrawn per event. Events for another study are
 * ignored, except while a start is in flight (the study can report before its id comes back).
 *
 * Merge rules:
 * - a later copy of a trial replaces the earlier one, except that a late 'running' copy never hides a
 *   finished one;
 * - once the study has stopped, trials still 'running' were abandoned by the run: the services' own
 *   record (`optimize:get`) decides which of them exist, and the rest are dropped.
 */
export class StudyFeed {
  private readonly trials = new Map<number, TrialRow>();
  private active: string | null = null;
  /** Bumped on every activation, so an answer can tell that the study was re-opened meanwhile. */
  private generation = 0;
  private dirty = false;
  private pendingProgress: OptimizeProgressEvent | null | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private held: { trials: OptimizeTrialEvent[]; progress: OptimizeProgressEvent[] } | null = null;

  constructor(
    private readonly publish: (patch: FeedPatch) => void,
    private readonly intervalMs: number = FLUSH_INTERVAL_MS,
  ) {}

  get studyId(): string | null {
    return this.active;
  }

  trial(number: number): TrialRow | undefined {
    return this.trials.get(number);
  }

  /** Shows `studyId` (null: none, once it was deleted): the previous study's trials and progress are forgotten at once. */
  activate(studyId: string | null): void {
    this.active = studyId;
    this.generation += 1;
    this.trials.clear();
    this.dirty = true;
    this.pendingProgress = null;
    this.flush();
  }

  /** A ticket for a request about the active study; `isCurrent` says whether its answer still applies. */
  ticket(): { studyId: string | null; generation: number } {
    return { studyId: this.active, generation: this.generation };
  }

  isCurrent(ticket: { studyId: string | null; generation: number }): boolean {
    return ticket.studyId === this.active && ticket.generation === this.generation;
  }

  /** From now until `started` or `abandonStart`, events of unknown studies are held. */
  holdForStart(): void {
    this.held = { trials: [], progress: [] };
  }

  /**
   * The study just started is `studyId`: it becomes the active one and the events it sent before its id
   * came back are replayed. Until a progress event arrives, it shows 0 of `total` running.
   */
  started(studyId: string, total: number): void {
    const held = this.held;
    this.held = null;
    this.activate(studyId);
    for (const event of held?.trials ?? []) this.receiveTrials(event);
    const progress = (held?.progress ?? []).filter((event) => event.studyId === studyId);
    for (const event of progress) this.receiveProgress(event);
    if (progress.length === 0) {
      this.pendingProgress = {
        studyId,
        state: 'running',
        done: 0,
        total,
        failed: 0,
        trialsPerSecond: 0,
        etaSeconds: null,
        best: null,
      };
    }
    this.flush();
  }

  abandonStart(): void {
    this.held = null;
  }

  receiveTrials(event: OptimizeTrialEvent): void {
    if (event.studyId !== this.active) {
      if (this.held && this.held.trials.length < MAX_HELD_TRIAL_EVENTS) this.held.trials.push(event);
      return;
    }
    this.merge(event.trials);
    this.schedule();
  }

  /** Returns true when the event says the active study has stopped (it is then shown at once). */
  receiveProgress(event: OptimizeProgressEvent): boolean {
    if (event.studyId !== this.active) {
      this.held?.progress.push(event);
      return false;
    }
    this.pendingProgress = event;
    if (!isTerminal(event.state)) {
      this.schedule();
      return false;
    }
    this.flush();
    return true;
  }

  /** Drops the progress shown (a resumed study's old "cancelled" must not linger). */
  clearProgress(): void {
    this.pendingProgress = null;
    this.flush();
  }

  /**
   * Merges the services' record of the study, if it is still the one `ticket` was taken for; returns
   * whether it was. A stopped study's record is complete, so its absent 'running' trials are dropped.
   */
  receiveDetail(ticket: { studyId: string | null; generation: number }, detail: StudyDetail): boolean {
    if (!this.isCurrent(ticket)) return false;
    this.merge(detail.trials);
    if (isTerminal(detail.summary.state)) {
      const recorded = new Set(detail.trials.map((t) => t.number));
      for (const [number, row] of this.trials)
        if (row.status === 'running' && !recorded.has(number)) this.trials.delete(number);
    }
    this.flush();
    return true;
  }

  /** Publishes what changed now, and cancels the pending timed flush. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const patch: FeedPatch = {};
    if (this.dirty) {
      patch.trials = [...this.trials.values()].sort((a, b) => a.number - b.number);
      this.dirty = false;
    }
    if (this.pendingProgress !== undefined) {
      patch.progress = this.pendingProgress;
      this.pendingProgress = undefined;
    }
    if (patch.trials !== undefined || patch.progress !== undefined) this.publish(patch);
  }

  /** Stops the timer; nothing is published afterwards until the next event. */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private merge(rows: readonly TrialRow[]): void {
    for (const row of rows) {
      const seen = this.trials.get(row.number);
      if (seen && seen.status !== 'running' && row.status === 'running') continue;
      this.trials.set(row.number, row);
    }
    this.dirty = true;
  }

  private schedule(): void {
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }
}
