import {
  decodeTrial,
  encodeTrial,
  type EncodedTrial,
  type StudyConfig,
  type TrialRecord,
} from '../../core/optimize/study.ts';
import { NotFoundError } from '../../shared/errors.ts';
import type { Database } from './database.ts';

/** Reads a stored JSON value into its type, failing with what is wrong (a zod schema fits). */
export interface Codec<T> {
  parse(value: unknown): T;
}

/**
 * A study's row. `data` is the owner's document and `progress` its counts and best so far (kept on the
 * row so listing studies reads no trial); the repository stores both as JSON and parses them on read.
 */
export interface StudyRow<Document, Progress> {
  id: string;
  name: string;
  /** The trader's note ('' for none). */
  note: string;
  strategy: string;
  data: Document;
  config: StudyConfig;
  createdAt: number;
  approvedParams: Record<string, number> | null;
  approvedAt: number | null;
  /** null until the first batch of trials is saved (and for studies stored before the column existed). */
  progress: Progress | null;
}

interface RawStudy {
  id: string;
  name: string;
  note: string;
  strategy: string;
  data: string;
  config: string;
  created_at: number;
  approved_params: string | null;
  approved_at: number | null;
  progress: string | null;
}

interface RawTrial {
  number: number;
  status: TrialRecord['status'];
  params: string;
  objective_values: string | null;
  metrics: string | null;
  feasible: boolean | null;
  error: string | null;
  seed: number;
  started_at: number;
  finished_at: number | null;
}

const STUDY_COLUMNS = `id, name, coalesce(note, '') AS note, strategy, data::VARCHAR AS data, config::VARCHAR AS config,
  epoch_ms(created_at)::DOUBLE AS created_at, approved_params::VARCHAR AS approved_params,
  epoch_ms(approved_at)::DOUBLE AS approved_at, progress::VARCHAR AS progress`;

const TRIAL_COLUMNS = [
  'study_id',
  'number',
  'status',
  'params',
  'objective_values',
  'metrics',
  'feasible',
  'error',
  'seed',
  'started_at',
  'finished_at',
] as const;

/**
 * Studies and trials in DuckDB. A batch of trials is upserted by (study, number) in one statement, with
 * the study's progress in the same transaction, so a kill loses at most the trials still running (which
 * a resumed study asks again) and the row's counts never disagree with its trials. Numbers go through
 * JSON in the core's encoding, which keeps NaN and Infinity.
 */
export class StudiesRepository<Document, Progress> {
  constructor(
    private readonly db: Database,
    private readonly codecs: { readonly document: Codec<Document>; readonly progress: Codec<Progress> },
  ) {}

  async create(
    study: Omit<
      StudyRow<Document, Progress>,
      'note' | 'createdAt' | 'approvedParams' | 'approvedAt' | 'progress'
    > & { note?: string },
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO studies (id, name, note, strategy, data, config, created_at)
       VALUES ($id, $name, $note, $strategy, $data, $config, now())`,
      {
        id: study.id,
        name: study.name,
        note: study.note ?? '',
        strategy: study.strategy,
        data: JSON.stringify(study.data),
        config: JSON.stringify(study.config),
      },
    );
  }

  async get(id: string): Promise<StudyRow<Document, Progress>> {
    const rows = await this.db.all<RawStudy>(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $id`, { id });
    const row = rows[0];
    if (!row) throw new NotFoundError(`no study with id "${id}"`, 'studyId');
    return this.toStudy(row);
  }

  /** Every study, newest first: one row each, no trial read. */
  async list(): Promise<StudyRow<Document, Progress>[]> {
    const rows = await this.db.all<RawStudy>(`SELECT ${STUDY_COLUMNS} FROM studies ORDER BY created_at DESC`);
    return rows.map((row) => this.toStudy(row));
  }

  /**
   * Saves several trials and, when given, the study's progress, as one unit: all or none. Rows with the
   * same numbers are replaced; the optimizer stores a whole batch per call.
   */
  async saveTrials(studyId: string, trials: readonly TrialRecord[], progress?: Progress): Promise<void> {
    if (trials.length === 0 && progress === undefined) return;
    await this.db.transaction(async () => {
      if (trials.length > 0) await this.insertTrials(studyId, trials);
      if (progress !== undefined) await this.setProgress(studyId, progress);
    });
  }

  /** Replaces the study's document (and its progress, when given) as one unit. */
  async updateData(studyId: string, data: Document, progress?: Progress): Promise<void> {
    await this.get(studyId);
    await this.db.transaction(async () => {
      await this.db.run(`UPDATE studies SET data = $data WHERE id = $id`, {
        id: studyId,
        data: JSON.stringify(data),
      });
      if (progress !== undefined) await this.setProgress(studyId, progress);
    });
  }

  /** Stores the progress of a study read before it existed (computed once from its trials). */
  async updateProgress(studyId: string, progress: Progress): Promise<void> {
    await this.setProgress(studyId, progress);
  }

  async loadTrials(studyId: string): Promise<TrialRecord[]> {
    const rows = await this.db.all<RawTrial>(
      `SELECT number, status, params::VARCHAR AS params, objective_values::VARCHAR AS objective_values,
         metrics::VARCHAR AS metrics, feasible, error, seed::DOUBLE AS seed, started_at::DOUBLE AS started_at,
         finished_at::DOUBLE AS finished_at
       FROM trials WHERE study_id = $study ORDER BY number`,
      { study: studyId },
    );
    return rows.map((row) => {
      const encoded: EncodedTrial = {
        number: row.number,
        status: row.status,
        params: JSON.parse(row.params) as TrialRecord['params'],
        values:
          row.objective_values === null ? null : (JSON.parse(row.objective_values) as EncodedTrial['values']),
        ...(row.metrics === null ? {} : { metrics: JSON.parse(row.metrics) as EncodedTrial['metrics'] }),
        ...(row.feasible === null ? {} : { feasible: row.feasible }),
        ...(row.error === null ? {} : { error: row.error }),
        seed: row.seed,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      };
      return decodeTrial(encoded);
    });
  }

  /** Removes the study and its trials as one unit; false when there was no such study. */
  async delete(studyId: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const found = await this.db.all<{ id: string }>(`SELECT id FROM studies WHERE id = $id`, {
        id: studyId,
      });
      if (found.length === 0) return false;
      await this.db.run(`DELETE FROM trials WHERE study_id = $id`, { id: studyId });
      await this.db.run(`DELETE FROM studies WHERE id = $id`, { id: studyId });
      return true;
    });
  }

  /** Replaces the study's name and/or note (what is absent is kept). */
  async annotate(studyId: string, changes: { name?: string; note?: string }): Promise<void> {
    await this.get(studyId);
    await this.db.run(
      `UPDATE studies SET name = coalesce($name, name), note = coalesce($note, note, '') WHERE id = $id`,
      { id: studyId, name: changes.name ?? null, note: changes.note ?? null },
    );
  }

  /**
   * Runs `work` (a few of this repository's calls) ahead of the reads waiting for the database: a
   * trader who approves a set waits on it, while the Optimize view's bar and regime reads can queue for
   * seconds under load (see Database.priority).
   */
  promptly<T>(work: () => Promise<T>): Promise<T> {
    return this.db.priority(work);
  }

  async approve(studyId: string, params: Record<string, number>): Promise<void> {
    await this.get(studyId);
    await this.db.run(`UPDATE studies SET approved_params = $params, approved_at = now() WHERE id = $id`, {
      id: studyId,
      params: JSON.stringify(params),
    });
  }

  private async insertTrials(studyId: string, trials: readonly TrialRecord[]): Promise<void> {
    const params: (string | number | boolean | null)[] = [];
    const rows: string[] = [];
    for (const trial of trials) {
      const encoded = encodeTrial(trial);
      const base = params.length;
      rows.push(`(${TRIAL_COLUMNS.map((_, i) => `$${base + i + 1}`).join(', ')})`);
      params.push(
        studyId,
        encoded.number,
        encoded.status,
        JSON.stringify(encoded.params),
        encoded.values === null ? null : JSON.stringify(encoded.values),
        encoded.metrics === undefined ? null : JSON.stringify(encoded.metrics),
        encoded.feasible ?? null,
        encoded.error ?? null,
        encoded.seed,
        encoded.startedAt,
        encoded.finishedAt,
      );
    }
    await this.db.run(
      `INSERT OR REPLACE INTO trials (${TRIAL_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`,
      params,
    );
  }

  private async setProgress(studyId: string, progress: Progress): Promise<void> {
    await this.db.run(`UPDATE studies SET progress = $progress WHERE id = $id`, {
      id: studyId,
      progress: JSON.stringify(progress),
    });
  }

  private toStudy(row: RawStudy): StudyRow<Document, Progress> {
    const where = `study ${row.id}`;
    return {
      id: row.id,
      name: row.name,
      note: row.note,
      strategy: row.strategy,
      data: parseStored(this.codecs.document, row.data, `${where}: data`),
      config: JSON.parse(row.config) as StudyConfig,
      createdAt: row.created_at,
      approvedParams:
        row.approved_params === null ? null : (JSON.parse(row.approved_params) as Record<string, number>),
      approvedAt: row.approved_at,
      progress:
        row.progress === null ? null : parseStored(this.codecs.progress, row.progress, `${where}: progress`),
    };
  }
}

function parseStored<T>(codec: Codec<T>, json: string, where: string): T {
  try {
    return codec.parse(JSON.parse(json));
  } catch (error) {
    throw new Error(`${where} cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
