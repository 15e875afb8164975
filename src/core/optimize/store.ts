/**
 * The persistence port of studies. Main implements it over DuckDB; core only states what it needs.
 * The contract that makes crash recovery work: a trial is saved as 'running' before its evaluation
 * starts and saved again (same number, replacing the row) when it finishes; `loadTrials` returns the
 * last saved version of each. Then `Study.restore(config, await store.loadTrials(id))` loses no finished
 * trial and re-runs none.
 */
import type { StudyConfig, TrialRecord } from './study.ts';

export interface StoredStudy {
  readonly id: string;
  readonly config: StudyConfig;
  readonly createdAt: number;
  /** Free-form label for the UI (strategy, symbol, data range). */
  readonly name?: string;
}

export interface StudyStore {
  /** Creates the study; fails if the id exists. */
  createStudy(study: StoredStudy): Promise<void>;
  /** The study's definition, or null when there is none with this id. */
  loadStudy(id: string): Promise<StoredStudy | null>;
  listStudies(): Promise<StoredStudy[]>;
  /** Inserts or replaces the trial with this number. */
  saveTrial(studyId: string, trial: TrialRecord): Promise<void>;
  /** Saves several trials atomically (one transaction), in order. */
  saveTrials(studyId: string, trials: readonly TrialRecord[]): Promise<void>;
  /** All trials of the study, any order. */
  loadTrials(studyId: string): Promise<TrialRecord[]>;
}

/**
 * An in-memory store that round-trips everything through JSON-safe copies (so tests catch state that
 * would not survive a real store). For tests and for headless runs that do not persist.
 */
export class MemoryStudyStore implements StudyStore {
  private readonly studies = new Map<string, StoredStudy>();
  private readonly trials = new Map<string, Map<number, TrialRecord>>();

  async createStudy(study: StoredStudy): Promise<void> {
    if (this.studies.has(study.id)) throw new Error(`study "${study.id}" already exists`);
    this.studies.set(study.id, structuredCopy(study));
    this.trials.set(study.id, new Map());
  }

  async loadStudy(id: string): Promise<StoredStudy | null> {
    const study = this.studies.get(id);
    return study === undefined ? null : structuredCopy(study);
  }

  async listStudies(): Promise<StoredStudy[]> {
    return [...this.studies.values()].map(structuredCopy);
  }

  async saveTrial(studyId: string, trial: TrialRecord): Promise<void> {
    this.table(studyId).set(trial.number, copyTrial(trial));
  }

  async saveTrials(studyId: string, trials: readonly TrialRecord[]): Promise<void> {
    const table = this.table(studyId);
    for (const t of trials) table.set(t.number, copyTrial(t));
  }

  async loadTrials(studyId: string): Promise<TrialRecord[]> {
    return [...this.table(studyId).values()].map(copyTrial);
  }

  private table(studyId: string): Map<number, TrialRecord> {
    const table = this.trials.get(studyId);
    if (table === undefined) throw new Error(`study "${studyId}" does not exist`);
    return table;
  }
}

function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function copyTrial(t: TrialRecord): TrialRecord {
  // Non-finite metric values are legitimate; copy them without a JSON detour.
  return {
    ...t,
    params: { ...t.params },
    values: t.values === null ? null : [...t.values],
    ...(t.metrics === undefined ? {} : { metrics: { ...t.metrics } }),
  };
}
