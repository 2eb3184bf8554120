// A write that goes on while the caller works (a checkpoint written while the next epoch trains), one at
// a time: the next waits for the last before it copies what it will write, so at most one copy is held.
// A failed write is not lost: `settle`, or the next `start`, throws it.

/** Copies what is to be written, now, and returns the write of that copy. */
export type WriteCopy = () => Promise<() => Promise<void>>;

export class BackgroundWrite {
  private pending: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  /** Waits for the write in flight, takes the next copy, and returns once its write has started. */
  async start(copy: WriteCopy): Promise<void> {
    await this.settle();
    const write = await copy();
    this.pending = write().catch((error: unknown) => {
      this.failure = { error };
    });
  }

  /** Waits for the write in flight; throws what it failed with. */
  async settle(): Promise<void> {
    await this.pending;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure.error;
  }
}
