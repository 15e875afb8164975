/**
 * Where a CLI command's requests go. A Regimen process (the app or `regimen serve`) that owns the data
 * folder holds its DuckDB file, which no second process can open; it announces itself in the folder's
 * discovery file, and the command then sends the same typed requests to it over HTTP, progress over its
 * WebSocket. Otherwise the command opens the folder itself, behind the same dispatch and validation, so
 * both ways give the same answers. When neither works, one plain sentence says why.
 */
import { realpathSync } from 'node:fs';
import {
  requestSchemas,
  type EventChannel,
  type EventPayload,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
} from '../../shared/contract.ts';
import { environmentCredentials } from '../marketdata/credentials.ts';
import { databasePath, resolveDataDir } from '../paths.ts';
import { processAlive, readDiscovery, type OwnerFile } from '../server/discovery.ts';
import type { HttpServicesClient } from '../server/httpClient.ts';
import type { EventListener } from '../services/events.ts';
import type { ServicesOptions } from '../services/services.ts';
import type { Database } from '../store/database.ts';
import { stringOption, type ParsedArgs } from './args.ts';

/** The contract as a command sees it: in this process, or through the folder's owner. */
export interface Backend {
  /** Who serves the requests: null for this process, else the owner (for notes to the user). */
  readonly owner: string | null;
  request<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  /** Resolves once listening, to the function that stops it. */
  listen(listener: EventListener): Promise<() => void>;
  close(): Promise<void>;
}

/** A listener for one event channel. */
export function on<K extends EventChannel>(
  channel: K,
  handler: (payload: EventPayload<K>) => void,
): EventListener {
  return (received, payload) => {
    if ((received as EventChannel) === channel) handler(payload as unknown as EventPayload<K>);
  };
}

/** How long a discovered owner has to answer before its file is taken as stale. */
const PROBE_TIMEOUT_MS = 2_000;

interface Owner {
  readonly file: OwnerFile;
  readonly client: HttpServicesClient;
}

/** Why a discovery file was passed over (kept for the sentence when the folder turns out locked). */
type OwnerLookup = { owner: Owner } | { owner: null; stale: string | null };

function samePath(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return real(a) === real(b);
}

function describe(file: OwnerFile): string {
  return `the Regimen ${file.host === 'electron' ? 'app' : 'server'} (pid ${file.pid}, port ${file.port})`;
}

/** The live owner of `dataDir`, if its discovery file names one that answers for this folder. */
async function lookUpOwner(dataDir: string): Promise<OwnerLookup> {
  const file = readDiscovery(dataDir);
  if (file === null) return { owner: null, stale: null };
  if (!processAlive(file.pid))
    return { owner: null, stale: `its discovery file names pid ${file.pid}, which has exited` };
  const { HttpServicesClient } = await import('../server/httpClient.ts');
  const client = new HttpServicesClient(file.port, file.token);
  try {
    const info = await client.request('app:info', {}, { timeoutMs: PROBE_TIMEOUT_MS });
    if (!samePath(info.dataDir, dataDir))
      return { owner: null, stale: `${describe(file)} named in its discovery file serves another folder` };
  } catch {
    return { owner: null, stale: `${describe(file)} named in its discovery file did not answer` };
  }
  return { owner: { file, client } };
}

function remoteBackend(owner: Owner): Backend {
  return {
    owner: describe(owner.file),
    request: (channel, input) => owner.client.request(channel, input),
    listen: (listener) => owner.client.listen(listener),
    close: async () => undefined,
  };
}

/** DuckDB's "Conflicting lock is held in ... (PID n)" as one sentence a user can act on. */
function lockedFolder(error: unknown, dataDir: string, stale: string | null): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (!/lock/i.test(message)) return error instanceof Error ? error : new Error(message);
  const pid = /PID (\d+)/.exec(message)?.[1];
  const holder = pid === undefined ? 'another process' : `another process (pid ${pid})`;
  return new Error(
    `the data folder ${dataDir} is in use by ${holder} that takes no requests` +
      `${stale === null ? '' : ` (${stale})`}: wait for it to finish or stop it, then try again`,
  );
}

/** Opens the folder's database in this process; a folder held by another process is one plain sentence. */
async function openHere<T>(dataDir: string, stale: string | null, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw lockedFolder(error, dataDir, stale);
  }
}

/** The data folder's owner as a backend, or null when no Regimen process owns the folder. */
export async function ownerBackend(args: ParsedArgs): Promise<Backend | null> {
  const lookup = await lookUpOwner(resolveDataDir(stringOption(args, 'data-dir')));
  return lookup.owner === null ? null : remoteBackend(lookup.owner);
}

export interface BackendOptions {
  /** Alpaca hosts and rate for a backend opened here (the owner keeps its own). */
  readonly alpaca?: ServicesOptions['alpaca'];
  /** Whether the command may need saved Alpaca keys (opening the keychain costs time otherwise). */
  readonly needsKeys?: boolean;
}

/** The backend for the command's data folder: its owner when one answers, else this process. */
export async function openBackend(args: ParsedArgs, options: BackendOptions = {}): Promise<Backend> {
  const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
  const lookup = await lookUpOwner(dataDir);
  if (lookup.owner !== null) return remoteBackend(lookup.owner);
  const [{ createServices }, { dispatch }, secretsModule] = await Promise.all([
    import('../services/services.ts'),
    import('../services/dispatch.ts'),
    import('../secrets/secretStore.ts'),
  ]);
  const secrets =
    options.needsKeys === true && !environmentCredentials(process.env)
      ? await secretsModule.openSecretStore()
      : new secretsModule.MemorySecretStore();
  const services = await openHere(dataDir, lookup.stale, () =>
    createServices({
      dataDir,
      host: 'cli',
      skipDemo: true,
      secrets,
      ...(options.alpaca === undefined ? {} : { alpaca: options.alpaca }),
    }),
  );
  return {
    owner: null,
    // Answers pass the channel's output schema here too, as the owner's do in the HTTP client: the
    // same shape (key order included) whichever way a command went.
    request: async (channel, input) =>
      requestSchemas[channel].output.parse(
        await dispatch(services.handlers, channel, input),
      ) as RequestOutput<typeof channel>,
    listen: async (listener) => services.events.subscribe(listener),
    close: () => services.close(),
  };
}

/** `work` on {@link openBackend}'s backend, closed after it. */
export async function withOpenBackend<T>(
  args: ParsedArgs,
  work: (backend: Backend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(args);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/**
 * The folder's database for commands that work on it directly rather than through the contract (the
 * demo writer, studies on CSV files, walk-forward): refused in one sentence while another
 * Regimen process owns the folder.
 */
export async function openDatabaseHere(args: ParsedArgs, what: string): Promise<Database> {
  const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
  const lookup = await lookUpOwner(dataDir);
  if (lookup.owner !== null)
    throw new Error(
      `${what} needs the data folder ${dataDir} to itself, and ${describe(lookup.owner.file)} has it open: ` +
        'close it or run this with another --data-dir',
    );
  const { Database } = await import('../store/database.ts');
  return openHere(dataDir, lookup.stale, () => Database.open(databasePath(dataDir)));
}
