import { randomBytes } from 'node:crypto';
import { copyFile, link, open, rename, rm, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

/** Writes the content through a handle; throwing aborts the write and leaves the target untouched. */
export type AtomicWriter = (handle: FileHandle) => Promise<void>;

/** The temporary name a write uses: same folder (so rename is atomic), hidden, unique. */
export function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `target` all-or-nothing: the content goes to a temporary file in the same folder, is flushed
 * to disk (fsync), then renamed over the target. On any failure (a throwing writer, a full disk) the
 * temporary file is removed and the previous target, if any, is left as it was.
 */
export async function writeFileAtomic(target: string, content: string | Uint8Array | AtomicWriter): Promise<void> {
  const temporary = temporaryNameFor(target);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    if (typeof content === 'function') await content(handle);
    else await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Flushes a folder's entries (a rename, a new file) to disk, so they survive a power cut as its files'
 * contents do. Windows cannot open a folder for this (and journals its renames): there it does nothing.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes `target` the same file as `source` all-or-nothing: a hard link (no bytes copied) under a
 * temporary name renamed over the target, or a copy where the file system has no hard links.
 */
export async function linkFileAtomic(source: string, target: string): Promise<void> {
  const temporary = temporaryNameFor(target);
  try {
    await link(source, temporary).catch(() => copyFile(source, temporary));
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Buffers small writes into large ones for writers that emit many short pieces (one word, one vector).
 * Call `flush()` at the end.
 */
export class BufferedFileWriter {
  private readonly buffer: Buffer;
  private used = 0;

  constructor(
    private readonly handle: FileHandle,
    capacity = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > this.buffer.length) await this.flush();
    if (bytes.length > this.buffer.length) {
      await this.writeFully(bytes);
      return;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  async writeString(text: string): Promise<void> {
    // Worst case 3 bytes per UTF-16 unit; encode straight into the buffer when it surely fits.
    if (text.length * 3 <= this.buffer.length - this.used) {
      this.used += this.buffer.write(text, this.used, 'utf8');
      return;
    }
    await this.write(Buffer.from(text, 'utf8'));
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeFully(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private async writeFully(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }
}
