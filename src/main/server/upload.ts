import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../../shared/errors.ts';

/** Where uploads land and how large one may be. */
export interface UploadOptions {
  /** A folder inside the data folder: the same disk as the cache, and removed with it. */
  readonly dir: string;
  readonly maxBytes: number;
}

/** 2 GiB: a decade of 1-minute bars for one symbol is well under 1 GiB of CSV. */
export const DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024 ** 3;

/** An upload over the limit: answered 413, with the limit named. */
export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The upload is over the limit of ${formatBytes(maxBytes)} (${maxBytes} bytes); nothing was stored`);
  }
}

export interface ReceivedUpload {
  /** The file, under its own name (an import infers the symbol from it), in a private folder. */
  readonly path: string;
  /** Removes the file and its folder; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Streams a request body to a file readable by this user only (0600, in a fresh 0700 folder), never
 * holding it in memory, and stops at `maxBytes` (a declared Content-Length over it is refused before a
 * byte is written). On any failure the partial file is removed before the error goes on.
 */
export async function receiveUpload(
  req: IncomingMessage,
  fileName: string,
  options: UploadOptions,
): Promise<ReceivedUpload> {
  const name = basename(fileName.replaceAll('\\', '/'));
  if (!name || name.startsWith('.') || name.includes('\0')) {
    throw new InputError(`Upload file name "${fileName}" is not a file name`, 'name');
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > options.maxBytes) throw new UploadTooLarge(options.maxBytes);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const folder = await mkdtemp(join(options.dir, 'upload-'));
  const remove = (): Promise<void> => rm(folder, { recursive: true, force: true });
  const path = join(folder, name);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > options.maxBytes ? new UploadTooLarge(options.maxBytes) : null, chunk);
    },
  });
  try {
    await pipeline(req, limit, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
