/**
 * The settings record (settingsContract.ts), owned by main: kept in the data folder as settings.json,
 * versioned ({ version, settings, nextDataFolder }), written whole to a temporary file and renamed over
 * the old one, so a crash leaves the old record or the new one, never half of either. Every change is
 * checked against the schema first: a bad value is refused naming the setting, and nothing stored
 * changes.
 */
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { basename, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  Settings,
  SETTINGS_VERSION,
  SettingsPatch,
  type SettingsState,
} from '../../../shared/settingsContract.ts';
import { ConflictError, InputError } from '../../../shared/errors.ts';
import { databasePath } from '../../paths.ts';
import { DISCOVERY_FILE } from '../../server/discovery.ts';

export const SETTINGS_FILE = 'settings.json';

const Stored = z.object({
  version: z.literal(SETTINGS_VERSION),
  settings: Settings,
  nextDataFolder: z.string().nullable(),
});
type Stored = z.output<typeof Stored>;

/**
 * Version 1's fees were one switch, `regulatoryFees`: on (SEC and FINRA fees), off, or null for the asset
 * class; version 2 names the schedule (`fees`), so on is 'us-equity' and off 'none'.
 */
function fromVersion1(raw: { settings?: unknown }): unknown {
  const settings = raw.settings;
  if (typeof settings !== 'object' || settings === null || !('regulatoryFees' in settings))
    return { ...raw, version: 2 };
  const { regulatoryFees, ...rest } = settings;
  const fees = regulatoryFees === true ? 'us-equity' : regulatoryFees === false ? 'none' : regulatoryFees;
  return { ...raw, version: 2, settings: { ...rest, fees } };
}

/**
 * Version 3 adds the stock borrow fee and the crypto fee tier, which a version 2 record leaves to the
 * asset class (null), as a new setting starts.
 */
function fromVersion2(raw: { settings?: unknown }): unknown {
  const settings = raw.settings;
  if (typeof settings !== 'object' || settings === null) return { ...raw, version: 3 };
  return { ...raw, version: 3, settings: { borrowPercent: null, cryptoFeeTier: null, ...settings } };
}

/** Version 4 adds short sales and units, which a version 3 record leaves to the asset class (null). */
function fromVersion3(raw: { settings?: unknown }): unknown {
  const settings = raw.settings;
  if (typeof settings !== 'object' || settings === null) return { ...raw, version: 4 };
  return { ...raw, version: 4, settings: { shortSales: null, units: null, ...settings } };
}

/**
 * A stored record as the current version: versions 1 to 3 are migrated (fromVersion1, fromVersion2,
 * fromVersion3 in turn); a file without a version (none was ever written so) or of a newer version (a later
 * Regimen's) needs a word. Unknown settings of a later version would be refused by the strict schema: the
 * reader says so rather than guessing.
 */
function migrate(raw: unknown): Stored {
  const version = typeof raw === 'object' && raw !== null && 'version' in raw ? raw.version : undefined;
  if (typeof version === 'number' && version > SETTINGS_VERSION)
    throw new Error(
      `it was written by a newer Regimen (version ${version}; this one reads ${SETTINGS_VERSION})`,
    );
  const v2 = version === 1 ? fromVersion1(raw as { settings?: unknown }) : raw;
  const v3 = version === 1 || version === 2 ? fromVersion2(v2 as { settings?: unknown }) : v2;
  const current =
    version === 1 || version === 2 || version === 3 ? fromVersion3(v3 as { settings?: unknown }) : raw;
  const parsed = Stored.safeParse(current);
  if (!parsed.success) throw new Error(zodProblem(parsed.error));
  return parsed.data;
}

/** The first issue of a failed parse as "setting: what is wrong". */
export function zodProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** The folder's stored record, or null when it has none; a record that does not read throws why. */
export function readStoredSettings(dataDir: string): Stored | null {
  const file = join(dataDir, SETTINGS_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return migrate(raw);
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function writeStored(dataDir: string, stored: Stored): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SETTINGS_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`);
  renameSync(temporary, file);
}

/**
 * Where the folder's record says the data now lives (after a move or a switch from it), else null. A
 * record that does not read sends nowhere: the folder itself is opened and its settings say why.
 */
export function nextDataFolderOf(dataDir: string): string | null {
  try {
    return readStoredSettings(dataDir)?.nextDataFolder ?? null;
  } catch {
    return null;
  }
}

/** Throws, naming the folder, unless `folder` exists (or can be made) and this process may write in it. */
export function checkWritableFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
    const probe = join(folder, `.regimen-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `the folder ${folder} is not writable${code === undefined ? '' : ` (${code})`}`,
      'folder',
    );
  }
}

/**
 * What a move leaves behind: the running owner's discovery file, the record (the new folder gets its
 * own), and the database's write-ahead log. The move checkpoints first, so the database file holds every
 * committed row; the log the owner keeps appending to is not copied half-written beside it.
 */
const NOT_MOVED = [DISCOVERY_FILE, SETTINGS_FILE, `${basename(databasePath(''))}.wal`];

export interface WorkerPool {
  readonly running: number;
  readonly cores: number;
  /** Applies a thread count to the pool; false when it cannot now (it is computing). */
  resize(threads: number | null): boolean;
}

export interface SettingsStoreDeps {
  readonly dataDir: string;
  /** Flushes the database to its file before a move copies it. */
  readonly checkpoint?: () => Promise<void>;
  /** Told every new state (the settings:changed event). */
  readonly onChange?: (state: SettingsState) => void;
}

export class SettingsStore {
  private stored: Stored;
  private problem: string | null = null;
  private restartNeeded = false;
  private pool: WorkerPool | null = null;
  private readonly instance = randomUUID();
  private changes = 0;

  constructor(private readonly deps: SettingsStoreDeps) {
    let stored: Stored | null = null;
    try {
      stored = readStoredSettings(deps.dataDir);
    } catch (error) {
      // A hand-edited record that does not read: the defaults apply and Settings says why; the file stays
      // as it is until a setting is changed (which writes a whole new record).
      this.problem = `${error instanceof Error ? error.message : String(error)}; the defaults are in use`;
    }
    this.stored = stored ?? { version: SETTINGS_VERSION, settings: DEFAULT_SETTINGS, nextDataFolder: null };
  }

  get settings(): Settings {
    return this.stored.settings;
  }

  /** The pool the workers setting sizes (made after the store: its size comes from the record). */
  usePool(pool: WorkerPool): void {
    this.pool = pool;
  }

  state(): SettingsState {
    const pool = this.pool;
    return {
      settings: this.stored.settings,
      dataFolder: { current: this.deps.dataDir, next: this.stored.nextDataFolder },
      workers: {
        running: pool?.running ?? this.stored.settings.workers ?? 0,
        cores: pool?.cores ?? 0,
        restartNeeded: this.restartNeeded,
      },
      problem: this.problem,
      revision: { instance: this.instance, count: this.changes },
    };
  }

  /** Changes some settings; a bad value is refused naming it, and then nothing stored changes. */
  set(patch: unknown): SettingsState {
    const parsed = SettingsPatch.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(zodProblem(parsed.error), issue?.path.join('.') || undefined);
    }
    const settings = Settings.parse({ ...this.stored.settings, ...parsed.data });
    this.save({ ...this.stored, settings });
    if (parsed.data.workers !== undefined && this.pool !== null)
      this.restartNeeded = !this.pool.resize(settings.workers);
    return this.changed();
  }

  /**
   * Points the next start at `folder`. 'move' copies this folder's data there first (after flushing the
   * database) and refuses a folder that already holds a cache, rather than overwrite it; the old folder is
   * left as it was, so nothing is lost either way. A folder this process cannot write to is refused.
   */
  async dataFolder(request: { folder: string; mode: 'move' | 'switch' }): Promise<{
    state: SettingsState;
    message: string;
  }> {
    const folder = resolve(request.folder);
    const current = resolve(this.deps.dataDir);
    if (folder === current) {
      this.save({ ...this.stored, nextDataFolder: null });
      return { state: this.changed(), message: `Regimen keeps its data in ${current}.` };
    }
    // A copy into itself would never end (Node refuses it, in words a trader cannot act on).
    if (request.mode === 'move' && folder.startsWith(current + sep))
      throw new InputError(
        `${folder} is inside the current data folder ${current}: choose a folder outside it to move to`,
        'folder',
      );
    // A folder no command has written to yet (`settings show` creates nothing) has nothing to copy.
    if (request.mode === 'move' && !existsSync(current))
      throw new InputError(
        `the current data folder ${current} holds no data yet: nothing to move (choose "switch" to start in ${folder})`,
        'folder',
      );
    checkWritableFolder(folder);
    const cache = databasePath(folder);
    if (request.mode === 'move') {
      if (existsSync(cache))
        throw new ConflictError(
          `${folder} already holds a Regimen cache: choose "switch" to use it, or an empty folder to move to`,
          'folder',
        );
      await this.deps.checkpoint?.();
      const left = new Set(NOT_MOVED.map((name) => join(current, name)));
      cpSync(current, folder, { recursive: true, filter: (source) => !left.has(source) });
    }
    // The new folder starts with these settings (its own, when a switch finds a record there, stay).
    let target: Stored | null = null;
    try {
      target = readStoredSettings(folder);
    } catch {
      target = null;
    }
    writeStored(folder, {
      version: SETTINGS_VERSION,
      settings: target === null || request.mode === 'move' ? this.stored.settings : target.settings,
      nextDataFolder: null,
    });
    this.save({ ...this.stored, nextDataFolder: folder });
    const what =
      request.mode === 'move'
        ? `Copied the data of ${current} to ${folder}`
        : `${folder} will be used as it is (${existsSync(cache) ? 'it holds a cache' : 'it starts empty'})`;
    return {
      state: this.changed(),
      message: `${what}; Regimen opens it at its next start. ${current} is left as it was: delete it yourself once the new folder is right.`,
    };
  }

  private save(stored: Stored): void {
    writeStored(this.deps.dataDir, stored);
    this.stored = stored;
    this.problem = null;
  }

  private changed(): SettingsState {
    this.changes += 1;
    const state = this.state();
    this.deps.onChange?.(state);
    return state;
  }
}
