import type { ComparePin, PinSource } from '../../shared/compareContract.ts';
import type { Database } from './database.ts';
import type { Codec } from './studiesRepository.ts';

interface RawPin {
  id: string;
  label: string;
  source: string;
  pinned_at: number;
}

/** JSON with object keys sorted at every level, so one source always has one key. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * The pins of the compare set in DuckDB, oldest first. A pin keeps what it stands for, not its figures:
 * those are derived again when the set is read, so a pin never shows a curve its source no longer gives.
 */
export class ComparePinsRepository {
  constructor(
    private readonly db: Database,
    private readonly source: Codec<PinSource>,
  ) {}

  async list(): Promise<ComparePin[]> {
    const rows = await this.db.all<RawPin>(
      `SELECT id, label, source::VARCHAR AS source, pinned_at::DOUBLE AS pinned_at FROM compare_pins
       ORDER BY pinned_at, id`,
    );
    return rows.map((row) => this.toPin(row));
  }

  /** The pin of this source, if it is pinned already. */
  async find(source: PinSource): Promise<ComparePin | null> {
    const rows = await this.db.all<RawPin>(
      `SELECT id, label, source::VARCHAR AS source, pinned_at::DOUBLE AS pinned_at FROM compare_pins
       WHERE source_key = $key`,
      { key: canonicalJson(source) },
    );
    return rows[0] === undefined ? null : this.toPin(rows[0]);
  }

  async add(pin: ComparePin): Promise<void> {
    await this.db.run(
      `INSERT INTO compare_pins (id, label, source, source_key, pinned_at)
       VALUES ($id, $label, $source, $key, $pinnedAt)`,
      {
        id: pin.id,
        label: pin.label,
        source: JSON.stringify(pin.source),
        key: canonicalJson(pin.source),
        pinnedAt: pin.pinnedAt,
      },
    );
  }

  /** False when there was no such pin. */
  async remove(id: string): Promise<boolean> {
    const found = await this.db.all<{ id: string }>(`SELECT id FROM compare_pins WHERE id = $id`, { id });
    if (found.length === 0) return false;
    await this.db.run(`DELETE FROM compare_pins WHERE id = $id`, { id });
    return true;
  }

  /** Removes every pin; how many there were. */
  async clear(): Promise<number> {
    const rows = await this.db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM compare_pins`);
    await this.db.run(`DELETE FROM compare_pins`);
    return rows[0]?.n ?? 0;
  }

  private toPin(row: RawPin): ComparePin {
    let source: PinSource;
    try {
      source = this.source.parse(JSON.parse(row.source));
    } catch (error) {
      throw new Error(
        `compare pin ${row.id}: source cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return { id: row.id, label: row.label, source, pinnedAt: row.pinned_at };
  }
}
