import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chainAuditEntry, type AuditBody, type AuditEntry, type AuditKind } from '../../core/live/audit.ts';

/**
 * The live audit trail in DuckDB, append-only: rows are only ever inserted, each chained to the one
 * before (core/live/audit.ts). It is a database file of its own (live-audit.duckdb beside the cache), so
 * `regimen live` records what it did while `regimen serve` holds the main database.
 */
export function auditLogPath(dataDir: string): string {
  return join(dataDir, 'live-audit.duckdb');
}

interface Row {
  seq: number;
  at_ms: number;
  kind: string;
  actor: string;
  bot: string;
  from_hash: string | null;
  to_hash: string | null;
  version: number | null;
  reason: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export class AuditLog {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<AuditLog> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const instance = await DuckDBInstance.create(path);
    if (path !== ':memory:') chmodSync(path, 0o600);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE IF NOT EXISTS live_audit (
      seq INTEGER PRIMARY KEY, at_ms BIGINT NOT NULL, kind VARCHAR NOT NULL, actor VARCHAR NOT NULL,
      bot VARCHAR NOT NULL, from_hash VARCHAR, to_hash VARCHAR, version INTEGER, reason VARCHAR NOT NULL,
      detail VARCHAR NOT NULL, prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)`);
    return new AuditLog(instance, connection);
  }

  async append(body: AuditBody): Promise<AuditEntry> {
    const rows = await this.rows('ORDER BY seq DESC LIMIT 1');
    const entry = chainAuditEntry(rows[0], body);
    await this.connection.run(
      `INSERT INTO live_audit VALUES ($seq, $at, $kind, $actor, $bot, $fromHash, $toHash, $version, $reason, $detail, $prevHash, $hash)`,
      {
        seq: entry.seq,
        at: entry.at,
        kind: entry.kind,
        actor: entry.actor,
        bot: entry.bot,
        fromHash: entry.fromHash,
        toHash: entry.toHash,
        version: entry.version,
        reason: entry.reason,
        detail: entry.detail,
        prevHash: entry.prevHash,
        hash: entry.hash,
      },
    );
    return entry;
  }

  entries(): Promise<AuditEntry[]> {
    return this.rows('ORDER BY seq');
  }

  /** Entries of one kind for one bot, oldest first. */
  async of(kind: AuditKind, bot?: string): Promise<AuditEntry[]> {
    return (await this.entries()).filter((e) => e.kind === kind && (bot === undefined || e.bot === bot));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async rows(order: string): Promise<AuditEntry[]> {
    const result = await this.connection.runAndReadAll(`SELECT * FROM live_audit ${order}`);
    return (result.getRowObjectsJS() as unknown as Row[]).map((row) => ({
      seq: Number(row.seq),
      at: Number(row.at_ms),
      kind: row.kind as AuditKind,
      actor: row.actor,
      bot: row.bot,
      fromHash: row.from_hash,
      toHash: row.to_hash,
      version: row.version === null ? null : Number(row.version),
      reason: row.reason,
      detail: row.detail,
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }
}
