// A failed file operation in words, instead of `ENOTDIR: not a directory, mkdir '…'`: what the path
// is, and for ENOTDIR which part of it is a file in the way.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
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

/** A rename's or copy's failure is about its destination when that is a folder in the way (EISDIR) or taken (EEXIST). */
const DESTINATION_CODES = new Set(['EISDIR', 'EEXIST', 'ENOTEMPTY']);

interface FileError {
  readonly code: string;
  /** The path the failure is about. */
  readonly file: string | undefined;
  readonly syscall: string | undefined;
}

function asFileError(error: unknown): FileError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path: file, dest, syscall } = error as NodeJS.ErrnoException & { dest?: string };
  if (code === undefined || REASONS[code] === undefined) return undefined;
  return { code, file: dest !== undefined && DESTINATION_CODES.has(code) ? dest : file, syscall };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function reasonOf({ code, file, syscall }: FileError): string {
  const blocker = code === 'ENOTDIR' && file !== undefined ? fileInTheWay(file) : undefined;
  if (blocker) return `${blocker} is a file, not a folder`;
  if (code === 'EEXIST' && syscall === 'mkdir' && file !== undefined && isFile(file)) return 'is a file; a folder is expected here';
  return REASONS[code] ?? code;
}

/** What is wrong, for an error from node:fs (`a.csv is a file, not a folder`), or undefined for any other error. */
export function fileErrorReason(error: unknown): string | undefined {
  const failure = asFileError(error);
  return failure === undefined ? undefined : reasonOf(failure);
}

/** `<path>: <what is wrong>` for an error from node:fs, or undefined for any other error. */
export function describeFileError(error: unknown): string | undefined {
  const failure = asFileError(error);
  if (failure === undefined) return undefined;
  return failure.file === undefined ? reasonOf(failure) : `${failure.file}: ${reasonOf(failure)}`;
}

/** What the user reads for any error: a file error in words, else its message. */
export function errorText(error: unknown): string {
  return describeFileError(error) ?? (error instanceof Error ? error.message : String(error));
}

/** Why `file` cannot be read as a file (`is a folder, not a file`, `no such file or folder`, a file in the way), or undefined when it can. */
export async function notAFileReason(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? undefined : info.isDirectory() ? 'is a folder, not a file' : 'is not a regular file';
  } catch (error) {
    return fileErrorReason(error) ?? (error as Error).message;
  }
}
