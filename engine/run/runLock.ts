// The lock that keeps a run folder to one run at a time: `<run>/.run.lock` names the process that holds
// it. A lock whose process is gone (a crash, a kill -9) is stale and taken over, so none stays stuck;
// the process's start time is part of the name, so a reused PID does not pass for the old owner.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { RunError } from './runError';

export const LOCK_FILE = '.run.lock';

/** Who holds a run folder. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start (Linux: boot id and start time in clock ticks); absent where the system does not say. */
  processStart?: string;
  config: string;
  since: string;
}

export interface RunLock {
  release(): Promise<void>;
}

/** Linux's identity of a process's start, from /proc; undefined elsewhere or when the process is gone. */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 is the start time; fields after the command name (which may hold spaces) begin at field 3.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTicks === undefined ? undefined : `${boot}:${startTicks}`;
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Whether the lock's owner may still be running: always, for a process on another machine. */
export function ownerIsLive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (!processExists(owner.pid)) return false;
  const start = processStartOf(owner.pid);
  return owner.processStart === undefined || start === undefined || start === owner.processStart;
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function busy(dir: string, owner: LockOwner): RunError {
  const where = owner.host === hostname() ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
  const remote = owner.host === hostname() ? '' : ` If that run is no longer active, delete ${path.join(dir, LOCK_FILE)}.`;
  return new RunError(`${dir} is in use by another run: ${where}, training ${owner.config} since ${owner.since}. Wait for it to end or stop it, or give this config another name or output.dir.${remote}`, [
    'name',
  ]);
}

/**
 * Takes the run folder `dir` (which exists) for this process, or throws a RunError naming the run that
 * holds it. The lock file appears complete or not at all (a hard link of a written file).
 */
export async function lockRunFolder(dir: string, config: string): Promise<RunLock> {
  const file = path.join(dir, LOCK_FILE);
  const start = processStartOf(process.pid);
  const owner: LockOwner = { pid: process.pid, host: hostname(), ...(start ? { processStart: start } : {}), config, since: new Date().toISOString() };
  const written = path.join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // written each time: the run holding the folder may sweep it away as a crash's leftover
        await writeFile(written, JSON.stringify(owner));
        await link(written, file);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'EEXIST' && code !== 'ENOENT') || attempt > 2) throw error;
      }
      const holder = await readOwner(file);
      if (holder && ownerIsLive(holder)) throw busy(dir, holder);
      await takeStale(file, holder);
    }
  } finally {
    await rm(written, { force: true });
  }
  return {
    async release() {
      const holder = await readOwner(file);
      if (holder?.pid === owner.pid && holder.since === owner.since) await rm(file, { force: true });
    },
  };
}

/** Removes a stale lock; if another process took the folder meanwhile, its lock is put back. */
async function takeStale(file: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale.tmp`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved && (moved.pid !== stale?.pid || moved.since !== stale.since)) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}
