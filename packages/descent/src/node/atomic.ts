import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Replaces a file so that, whenever the process or the machine stops, the path holds either the
 * old file or the new one, whole: the bytes go to a temporary file in the same directory (so
 * that the rename stays on one file system), which is flushed to disk (fsync), closed and renamed
 * over the old one (an atomic step on POSIX file systems); then the directory is flushed, so that
 * the rename itself survives a crash. On a failure the temporary file is removed and the old
 * file stays as it was.
 *
 * A process killed mid-write leaves its temporary file behind: `.<name>.<pid>.<random>.tmp`
 * beside the target, which nothing reads and which may be deleted.
 */
export function writeFileAtomicSync(path: string, chunks: readonly Uint8Array[]): void {
  const target = resolve(path);
  const temporary = temporaryPath(target);
  const fd = openSync(temporary, 'wx');
  try {
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) {
        done += writeSync(fd, chunk, done, chunk.length - done);
      }
    }
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {}
    rmSync(temporary, { force: true });
    throw error;
  }
  try {
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectorySync(dirname(target));
}

/** `writeFileAtomicSync` with the file system's asynchronous calls. */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const target = resolve(path);
  const temporary = temporaryPath(target);
  const handle = await open(temporary, 'wx');
  try {
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) {
        done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(target));
}

function temporaryPath(target: string): string {
  const suffix = `${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  return join(dirname(target), `.${basename(target)}.${suffix}`);
}

/**
 * Errors of a directory fsync that mean the system cannot do it (Windows cannot open a
 * directory; some file systems refuse fsync on one), where the rename is as durable as it gets.
 */
function unsupported(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    process.platform === 'win32' ||
    code === 'EINVAL' ||
    code === 'ENOTSUP' ||
    code === 'EISDIR' ||
    code === 'EPERM'
  );
}

function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (unsupported(error)) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    closeSync(fd);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (unsupported(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}
