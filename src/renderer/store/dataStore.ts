import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExportFileInput, ImportFileInput, PickedFile, RegimenClient } from '../../shared/client.ts';
import type {
  DataQualityResult,
  DatasetCoverage,
  JobProgress,
  KeysStatus,
  RequestOutput,
} from '../../shared/contract.ts';
import type { FetchAdjustment, FetchFeed, FetchTimeframe } from '../../shared/fetchChoices.ts';
import { calendarDetail, calendarSentence, timeZoneSentence } from '../../shared/importSummary.ts';
import type { AssetCalendar } from '../../core/data/assetCalendar.ts';
import type { NaiveTimeZone } from '../../core/data/naiveTimeZone.ts';
import { errorMessage } from '../client/clientError.ts';
import { DAY_MS, formatUtcDate } from '../format.ts';
import type { Loadable } from './appStore.ts';
import { latestOnly, newJobId } from './requests.ts';

export interface FetchForm {
  symbols: string;
  timeframe: FetchTimeframe;
  /** yyyy-mm-dd, as the date inputs give it. */
  start: string;
  /** yyyy-mm-dd, inclusive. */
  end: string;
  adjustment: FetchAdjustment;
  feed: FetchFeed;
}

export interface ImportForm {
  path: string;
  symbol: string;
  timeframe: string;
  /** 'auto': inferred from the timestamps by the services. */
  calendar: 'auto' | AssetCalendar;
  /** Zone of date-times without an offset; 'auto': inferred, UTC when the bars do not tell. */
  timeZone: 'auto' | NaiveTimeZone;
}

export interface DataJob {
  kind: 'fetch' | 'import';
  jobId: string;
  label: string;
  progress: JobProgress | null;
  /** The user asked to stop it; the job ends at its next page. */
  cancelling: boolean;
}

/** A finished action's one-line summary, shown in the panel it belongs to. */
export interface DataResult {
  kind: 'fetch' | 'import' | 'repair' | 'delete' | 'rename' | 'export';
  text: string;
}

/** A failure shown in the panel where it happened; `needsKeys` offers the way to Settings. */
export interface PanelError {
  panel: 'coverage' | 'quality' | 'fetch' | 'import' | 'manage' | 'export' | 'settings';
  message: string;
  needsKeys: boolean;
}

export interface DatasetKey {
  symbol: string;
  timeframe: string;
}

export interface DataState {
  coverage: Loadable<DatasetCoverage[]>;
  selected: DatasetKey | null;
  quality: Loadable<DataQualityResult>;
  /** Which dataset the quality report shown belongs to. */
  qualityFor: DatasetKey | null;
  repairing: boolean;
  fetchForm: FetchForm;
  importForm: ImportForm;
  job: DataJob | null;
  /** The last finished job's one-line summary. */
  lastResult: DataResult | null;
  errors: PanelError[];
  keys: Loadable<KeysStatus>;
  savingKeys: boolean;
  /** An export is being written (and, in a browser, downloaded). */
  exporting: boolean;

  load(): Promise<void>;
  loadCoverage(): Promise<void>;
  select(key: DatasetKey): void;
  checkQuality(repair?: boolean): Promise<void>;
  setFetchForm(patch: Partial<FetchForm>): void;
  setImportForm(patch: Partial<ImportForm>): void;
  runFetch(): Promise<void>;
  cancelFetch(): Promise<void>;
  runImport(): Promise<void>;
  /** Imports a picked or dropped file with the form's options (its path field is not used). */
  importPicked(file: PickedFile): Promise<void>;
  /** Deletes every timeframe of `symbol` once `confirmation` is that symbol typed out; true when done. */
  deleteDataset(symbol: string, confirmation: string): Promise<boolean>;
  /** Renames `symbol` to `to`; a refusal (e.g. the name is taken) is shown in the manage panel. */
  renameDataset(symbol: string, to: string): Promise<boolean>;
  /** Exports bars to a file the user keeps (a download, or where the save dialog says). */
  runExport(input: ExportFileInput): Promise<void>;
  loadKeys(): Promise<void>;
  saveKeys(keyId: string, secret: string): Promise<boolean>;
  clearKeys(): Promise<void>;
  dismissError(panel: PanelError['panel']): void;
}

export type DataStore = StoreApi<DataState>;

const SYMBOL = /^[A-Z0-9.\-_/]{1,24}$/;

/** The services' words for "no keys", so the panel can offer the way to Settings. */
function needsKeys(message: string): boolean {
  return /no alpaca api keys|refused the api keys/i.test(message);
}

/** Parses "aapl, MSFT" into tickers, or says which entry is not one. */
export function parseSymbolList(text: string): { symbols: string[]; error?: string } {
  const symbols = [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  if (symbols.length === 0) return { symbols, error: 'Enter at least one symbol, e.g. AAPL, MSFT' };
  const bad = symbols.find((s) => !SYMBOL.test(s));
  return bad ? { symbols, error: `"${bad}" is not a ticker symbol` } : { symbols };
}

/** The fetch range in epoch ms: start at its day's 00:00 UTC, end after its whole day (inclusive date). */
export function fetchRange(form: FetchForm): { start: number; end: number; error?: string } {
  const start = Date.parse(`${form.start}T00:00:00Z`);
  const end = Date.parse(`${form.end}T00:00:00Z`) + DAY_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end))
    return { start, end, error: 'Pick a start and an end date' };
  if (end <= start) return { start, end, error: 'The end date is before the start date' };
  return { start, end };
}

const sameKey = (a: DatasetKey | null, b: DatasetKey | null): boolean =>
  a !== null && b !== null && a.symbol === b.symbol && a.timeframe === b.timeframe;

/**
 * The Data and Settings views' state. It outlives the views (the shell mounts only the active tab), so a
 * fetch keeps its progress while the user looks elsewhere. `onDatasetsChanged` tells the app store to
 * list symbols again after an import, fetch or repair.
 */
export function createDataStore(client: RegimenClient, onDatasetsChanged: () => Promise<void>): DataStore {
  const qualityRequest = latestOnly();
  const coverageRequest = latestOnly();
  // Reading, saving and clearing the keys all answer with their status: the last one asked for wins.
  const keysRequest = latestOnly();
  const today = Date.now();

  const store = createStore<DataState>()((set, get) => {
    const fail = (panel: PanelError['panel'], error: unknown, secret?: string): void => {
      let message = errorMessage(error);
      // Whatever a failure says, the page never shows a secret the user typed.
      if (secret && secret.length >= 4) message = message.split(secret).join('•••');
      set((s) => ({
        errors: [
          ...s.errors.filter((e) => e.panel !== panel),
          { panel, message, needsKeys: needsKeys(message) },
        ],
        // The panel's last success is not left beside its failure, as if the failed file had gone in too.
        lastResult: s.lastResult?.kind === panel ? null : s.lastResult,
      }));
    };
    const clearError = (panel: PanelError['panel']): void =>
      set((s) => ({ errors: s.errors.filter((e) => e.panel !== panel) }));

    const afterChange = async (): Promise<void> => {
      await Promise.all([get().loadCoverage(), onDatasetsChanged()]);
    };

    /** One import, by path or picked file: the form's options, the job, the answer, the refreshed lists. */
    const importWith = async (
      label: string,
      send: (input: ImportFileInput) => Promise<RequestOutput<'data:import'>>,
    ): Promise<void> => {
      if (get().job) return;
      const form = get().importForm;
      clearError('import');
      if (get().lastResult?.kind === 'import') set({ lastResult: null });
      const jobId = newJobId();
      set({ job: { kind: 'import', jobId, label, progress: null, cancelling: false } });
      try {
        const symbol = form.symbol.trim().toUpperCase();
        const timeframe = form.timeframe.trim();
        const result = await send({
          jobId,
          ...(symbol ? { symbol } : {}),
          ...(timeframe ? { timeframe } : {}),
          ...(form.calendar === 'auto' ? {} : { calendar: form.calendar }),
          ...(form.timeZone === 'auto' ? {} : { naiveTimeZone: form.timeZone }),
        });
        set({
          lastResult: {
            kind: 'import',
            text:
              `${result.file}: ${result.bars.toLocaleString('en-US')} bars stored as ${result.symbol} ${result.timeframe}; ` +
              `${calendarSentence(result)}: ${calendarDetail(result)}; ${timeZoneSentence(result.timeZone)}`,
          },
        });
        await afterChange();
        get().select({ symbol: result.symbol, timeframe: result.timeframe });
      } catch (error) {
        fail('import', error);
      } finally {
        if (get().job?.jobId === jobId) set({ job: null });
      }
    };

    return {
      coverage: { status: 'idle' },
      selected: null,
      quality: { status: 'idle' },
      qualityFor: null,
      repairing: false,
      fetchForm: {
        symbols: 'AAPL, MSFT',
        timeframe: '1Min',
        start: formatUtcDate(today - 31 * DAY_MS),
        end: formatUtcDate(today - DAY_MS),
        adjustment: 'all',
        feed: 'iex',
      },
      importForm: { path: '', symbol: '', timeframe: '', calendar: 'auto', timeZone: 'auto' },
      job: null,
      lastResult: null,
      errors: [],
      keys: { status: 'idle' },
      savingKeys: false,
      exporting: false,

      async load() {
        await Promise.all([get().loadCoverage(), get().loadKeys()]);
      },

      async loadCoverage() {
        const isLatest = coverageRequest();
        if (get().coverage.status !== 'ready') set({ coverage: { status: 'loading' } });
        try {
          const data = await client.invoke('data:coverage', {});
          if (!isLatest()) return;
          set({ coverage: { status: 'ready', data } });
          clearError('coverage');
          const selected = get().selected;
          const stillThere = selected && data.some((d) => sameKey(d, selected));
          const first = data[0];
          if (!stillThere && first) get().select({ symbol: first.symbol, timeframe: first.timeframe });
        } catch (error) {
          if (!isLatest()) return;
          set({ coverage: { status: 'error', message: errorMessage(error) } });
          fail('coverage', error);
        }
      },

      select(key) {
        if (sameKey(key, get().selected) && get().quality.status !== 'error') return;
        set({ selected: key });
        void get().checkQuality();
      },

      async checkQuality(repair = false) {
        const selected = get().selected;
        if (!selected || get().repairing) return;
        const isLatest = qualityRequest();
        set({ quality: { status: 'loading' }, qualityFor: selected, ...(repair ? { repairing: true } : {}) });
        try {
          const result = await client.invoke('data:quality', { ...selected, repair });
          if (!isLatest()) return;
          set({ quality: { status: 'ready', data: result } });
          clearError('quality');
          if (result.repair) {
            const { droppedBars, gapsMarked, closedMarketBars } = result.repair;
            const closed =
              closedMarketBars > 0
                ? ` (${closedMarketBars} of them when the ${result.report.calendar.toUpperCase()} market is closed)`
                : '';
            set({
              lastResult: {
                kind: 'repair',
                text: `${selected.symbol} ${selected.timeframe}: ${droppedBars} unusable bars dropped${closed}, ${gapsMarked} gaps marked`,
              },
            });
            await afterChange();
          }
        } catch (error) {
          if (!isLatest()) return;
          set({ quality: { status: 'error', message: errorMessage(error) } });
          fail('quality', error);
        } finally {
          if (repair) set({ repairing: false });
        }
      },

      setFetchForm(patch) {
        set((s) => ({ fetchForm: { ...s.fetchForm, ...patch } }));
      },

      setImportForm(patch) {
        set((s) => ({ importForm: { ...s.importForm, ...patch } }));
      },

      async runFetch() {
        if (get().job) return;
        const form = get().fetchForm;
        const parsed = parseSymbolList(form.symbols);
        const range = fetchRange(form);
        const problem = parsed.error ?? range.error;
        if (problem) {
          fail('fetch', new Error(problem));
          return;
        }
        const keys = get().keys;
        if (keys.status === 'ready' && !keys.data.alpaca.configured) {
          fail('fetch', new Error('No Alpaca API keys configured: add them in Settings'));
          return;
        }
        clearError('fetch');
        const jobId = newJobId();
        const label = `${parsed.symbols.join(', ')} ${form.timeframe}`;
        set({ job: { kind: 'fetch', jobId, label, progress: null, cancelling: false } });
        try {
          const result = await client.invoke('data:fetch', {
            jobId,
            symbols: parsed.symbols,
            timeframe: form.timeframe,
            start: range.start,
            end: range.end,
            adjustment: form.adjustment,
            feed: form.feed,
          });
          set({
            lastResult: {
              kind: 'fetch',
              text:
                // Every page stored before a cancel stays: the coverage shows it, and a new fetch resumes there.
                'cancelled' in result
                  ? `${label}: cancelled, the bars fetched so far are kept`
                  : result.requests === 0
                    ? `${label}: already cached, nothing fetched`
                    : `${label}: ${result.bars.toLocaleString('en-US')} bars in ${result.pages} page${result.pages === 1 ? '' : 's'} (${(result.elapsedMs / 1000).toFixed(1)} s)`,
            },
          });
          await afterChange();
        } catch (error) {
          fail('fetch', error);
        } finally {
          if (get().job?.jobId === jobId) set({ job: null });
        }
      },

      async cancelFetch() {
        const job = get().job;
        if (job?.kind !== 'fetch' || job.cancelling) return;
        set({ job: { ...job, cancelling: true } });
        try {
          const { cancelled } = await client.invoke('job:cancel', { jobId: job.jobId });
          // Not running any more: it finished (or failed) on its own, and runFetch reports that.
          if (!cancelled && get().job?.jobId === job.jobId) set({ job: { ...job, cancelling: false } });
        } catch (error) {
          if (get().job?.jobId === job.jobId) set({ job: { ...job, cancelling: false } });
          fail('fetch', error);
        }
      },

      async runImport() {
        const path = get().importForm.path.trim();
        if (!path) {
          fail('import', new Error('Enter the path of a CSV or Parquet file on the machine running Regimen'));
          return;
        }
        await importWith(path, (input) => client.invoke('data:import', { ...input, path }));
      },

      async importPicked(file) {
        const { importFile } = client;
        if (!importFile) {
          fail('import', new Error('This connection cannot take a picked file: type its path instead'));
          return;
        }
        await importWith(file.name, (input) => importFile.call(client, file, input));
      },

      async deleteDataset(symbol, confirmation) {
        if (confirmation.trim().toUpperCase() !== symbol) {
          fail('manage', new Error(`Type ${symbol} to confirm deleting it`));
          return false;
        }
        try {
          const result = await client.invoke('data:delete', { symbol });
          clearError('manage');
          set({
            lastResult: {
              kind: 'delete',
              text: `${result.symbol}: deleted, ${result.bars.toLocaleString('en-US')} bars`,
            },
          });
          if (get().selected?.symbol === symbol) set({ selected: null, quality: { status: 'idle' } });
          await afterChange();
          return true;
        } catch (error) {
          fail('manage', error);
          return false;
        }
      },

      async renameDataset(symbol, to) {
        const name = to.trim().toUpperCase();
        if (!SYMBOL.test(name)) {
          fail('manage', new Error(`"${to.trim()}" is not a ticker symbol`));
          return false;
        }
        try {
          const result = await client.invoke('data:rename', { symbol, to: name });
          clearError('manage');
          set({
            lastResult: {
              kind: 'rename',
              text: `${symbol} renamed to ${result.symbol} (${result.bars.toLocaleString('en-US')} bars)`,
            },
          });
          // The renamed dataset stays selected under its new name (its quality is checked again).
          const selected = get().selected;
          if (selected?.symbol === symbol) set({ selected: null });
          await afterChange();
          if (selected?.symbol === symbol)
            get().select({ symbol: result.symbol, timeframe: selected.timeframe });
          return true;
        } catch (error) {
          fail('manage', error);
          return false;
        }
      },

      async runExport(input) {
        const { exportFile } = client;
        if (!exportFile) {
          fail('export', new Error('This connection cannot save files: use `regimen data export`'));
          return;
        }
        if (get().exporting) return;
        clearError('export');
        set({ exporting: true });
        try {
          const saved = await exportFile.call(client, input);
          // Null: the save dialog was cancelled, nothing to say.
          if (saved !== null) {
            set({
              lastResult: {
                kind: 'export',
                text: `${saved.bars.toLocaleString('en-US')} ${input.timeframe} bars of ${input.symbol} saved as ${saved.savedAs}`,
              },
            });
          }
        } catch (error) {
          fail('export', error);
        } finally {
          set({ exporting: false });
        }
      },

      async loadKeys() {
        const isLatest = keysRequest();
        try {
          const data = await client.invoke('settings:keys-status', {});
          if (isLatest()) set({ keys: { status: 'ready', data } });
        } catch (error) {
          if (!isLatest()) return;
          set({ keys: { status: 'error', message: errorMessage(error) } });
          fail('settings', error);
        }
      },

      async saveKeys(keyId, secret) {
        const isLatest = keysRequest();
        set({ savingKeys: true });
        try {
          const data = await client.invoke('settings:save-keys', { keyId, secret });
          if (isLatest()) set({ keys: { status: 'ready', data } });
          clearError('settings');
          clearError('fetch');
          return true;
        } catch (error) {
          fail('settings', error, secret);
          return false;
        } finally {
          set({ savingKeys: false });
        }
      },

      async clearKeys() {
        const isLatest = keysRequest();
        set({ savingKeys: true });
        try {
          const data = await client.invoke('settings:clear-keys', {});
          if (isLatest()) set({ keys: { status: 'ready', data } });
          clearError('settings');
        } catch (error) {
          fail('settings', error);
        } finally {
          set({ savingKeys: false });
        }
      },

      dismissError(panel) {
        clearError(panel);
      },
    };
  });

  client.on('job:progress', (progress) => {
    const job = store.getState().job;
    if (job && job.jobId === progress.jobId) store.setState({ job: { ...job, progress } });
  });
  return store;
}

const stores = new WeakMap<RegimenClient, DataStore>();

/** One data store per client, created on first use; the views load what they show when they mount. */
export function dataStoreFor(client: RegimenClient, onDatasetsChanged: () => Promise<void>): DataStore {
  let store = stores.get(client);
  if (!store) {
    store = createDataStore(client, onDatasetsChanged);
    stores.set(client, store);
  }
  return store;
}
