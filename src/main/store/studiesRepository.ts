import {
  decodeTrial,
  encodeTrial,
  type EncodedTrial,
  type StudyConfig,
  type TrialRecord,
} from '../../core/optimize/study.ts';
import { NotFoundError } from '../../shared/errors.ts';
import type { Database } from './database.ts';

export interface StudyRow {
  id: string;
  name: string;
  strategy: string;
  /** What the trials run on (symbol or file, timeframes, range, costs); opaque to the store. */
  data: Record<string, unknown>;
  config: StudyConfig;
  createdAt: number;
  approvedParams: Record<string, number> | null;
  approvedAt: number | null;
}

interface RawStudy {
  id: string;
  name: string;
  strategy: string;
  data: string;
  config: string;
  created_at: number;
  approved_params: string | null;
  approved_at: number | null;
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

/**
 * Studies and trials in DuckDB. Each trial is upserted by (study, number) as soon as it is told, in its
 * own statement, so a kill loses at most the trials still running, which a resumed study asks again.
 * Numbers go through JSON in the core's encoding, which keeps NaN and Infinity.
 */
export class StudiesRepository {
  constructor(private readonly db: Database) {}

  async create(study: Omit<StudyRow, 'createdAt' | 'approvedParams' | 'approvedAt'>): Promise<void> {
    await this.db.run(
      `INSERT INTO studies (id, name, strategy, data, config, created_at) VALUES ($id, $name, $strategy, $data, $config, now())`,
      {
        id: study.id,
        name: study.name,
        strategy: study.strategy,
        data: JSON.stringify(study.data),
        config: JSON.stringify(study.config),
      },
    );
  }

  async get(id: string): Promise<StudyRow> {
    const rows = await this.db.all<RawStudy>(
      `SELECT id, name, strategy, data::VARCHAR AS data, config::VARCHAR AS config,
         epoch_ms(created_at)::DOUBLE AS created_at, approved_params::VARCHAR AS approved_params,
         epoch_ms(approved_at)::DOUBLE AS approved_at
       FROM studies WHERE id = $id`,
      { id },
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(`no study with id "${id}"`, 'studyId');
    return toStudy(row);
  }

  async list(): Promise<(StudyRow & { trials: number })[]> {
    const rows = await this.db.all<RawStudy & { trials: number }>(
      `SELECT s.id, s.name, s.strategy, s.data::VARCHAR AS data, s.config::VARCHAR AS config,
         epoch_ms(s.created_at)::DOUBLE AS created_at, s.approved_params::VARCHAR AS approved_params,
         epoch_ms(s.approved_at)::DOUBLE AS approved_at, count(t.number)::INTEGER AS trials
       FROM studies s LEFT JOIN trials t ON t.study_id = s.id
       GROUP BY ALL ORDER BY created_at DESC`,
    );
    return rows.map((row) => ({ ...toStudy(row), trials: row.trials }));
  }

  async saveTrial(studyId: string, trial: TrialRecord): Promise<void> {
    const encoded = encodeTrial(trial);
    await this.db.run(
      `INSERT OR REPLACE INTO trials VALUES ($study, $number, $status, $params, $values, $metrics, $feasible,
         $error, $seed, $started, $finished)`,
      {
        study: studyId,
        number: encoded.number,
        status: encoded.status,
        params: JSON.stringify(encoded.params),
        values: encoded.values === null ? null : JSON.stringify(encoded.values),
        metrics: encoded.metrics === undefined ? null : JSON.stringify(encoded.metrics),
        feasible: encoded.feasible ?? null,
        error: encoded.error ?? null,
        seed: encoded.seed,
        started: encoded.startedAt,
        finished: encoded.finishedAt,
      },
    );
  }

  /**
   * Saves several trials in one statement (atomic: all or none), replacing rows with the same numbers.
   * The optimizer stores a whole batch per call, so thousands of trials cost a few statements.
   */
  async saveTrials(studyId: string, trials: readonly TrialRecord[]): Promise<void> {
    if (trials.length === 0) return;
    const params: (string | number | boolean | null)[] = [];
    const rows: string[] = [];
    for (const trial of trials) {
      const encoded = encodeTrial(trial);
      const base = params.length;
      rows.push(`(${Array.from({ length: 11 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
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
    await this.db.run(`INSERT OR REPLACE INTO trials VALUES ${rows.join(', ')}`, params);
  }

  /** Replaces the study's `data` document (the optimizer keeps its run state and final report there). */
  async updateData(studyId: string, data: Record<string, unknown>): Promise<void> {
    await this.get(studyId);
    await this.db.run(`UPDATE studies SET data = $data WHERE id = $id`, {
      id: studyId,
      data: JSON.stringify(data),
    });
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

  async approve(studyId: string, params: Record<string, number>): Promise<void> {
    await this.get(studyId);
    await this.db.run(`UPDATE studies SET approved_params = $params, approved_at = now() WHERE id = $id`, {
      id: studyId,
      params: JSON.stringify(params),
    });
  }
}

function toStudy(row: RawStudy): StudyRow {
  return {
    id: row.id,
    name: row.name,
    strategy: row.strategy,
    data: JSON.parse(row.data) as Record<string, unknown>,
    config: JSON.parse(row.config) as StudyConfig,
    createdAt: row.created_at,
    approvedParams:
      row.approved_params === null ? null : (JSON.parse(row.approved_params) as Record<string, number>),
    approvedAt: row.approved_at,
  };
}
