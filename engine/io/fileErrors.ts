// A failed file operation in words, instead of `ENOTDIR: not a directory, mkdir '…'`: what the path
// is, and for ENOTDIR which part of it is a file in the way.
import { statSync } from 'node:fs';
import * as path from 'node:path';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder; a file is expected here',
  ENOTDIR: 'a part of this path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on the disk',
  EROFS: 'on a read-only file system',
  EMFILE: 'too many open files',
};

/** The first ancestor of `file` that is a file rather than a folder. */
function fileInTheWay(file: string): string | undefined {
  for (let folder = path.dirname(file); folder !== path.dirname(folder); folder = path.dirname(folder)) {
    try {
      if (statSync(folder).isFile()) return folder;
    } catch {
      // missing: keep walking up
    }
  }
  return undefined;
}

/** What is wrong, for an error from node:fs (`a.csv is a file, not a folder`), or undefined for any other error. */
export function fileErrorReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path: file } = error as NodeJS.ErrnoException;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return undefined;
  const blocker = code === 'ENOTDIR' && file !== undefined ? fileInTheWay(file) : undefined;
  return blocker ? `${blocker} is a file, not a folder` : reason;
}

/** `<path>: <what is wrong>` for an error from node:fs, or undefined for any other error. */
export function describeFileError(error: unknown): string | undefined {
  const reason = fileErrorReason(error);
  const file = (error as NodeJS.ErrnoException | undefined)?.path;
  return reason === undefined ? undefined : file === undefined ? reason : `${file}: ${reason}`;
}
