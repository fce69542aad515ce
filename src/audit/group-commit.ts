interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /**
   * Hand a batch over as soon as it holds this many items, instead of at the end of the turn, so
   * the committer can start on it while the caller's thread is still preparing the rest.
   * Default: no limit.
   */
  maxBatch?: number;
  /**
   * How many batches may be committing at once. Default 1. More suits a committer that queues
   * the batches it is handed and merges whatever is waiting into one transaction of its own (the
   * audit writer thread); it must still settle them in order.
   */
  concurrency?: number;
}

/**
 * Group commit: items submitted while a commit is running are committed together by the next
 * one, and every submitter's promise settles after the commit that holds its item. One fsync then
 * covers a whole batch, which is what makes durable appends fast under concurrency.
 *
 * By default one commit runs at a time (see `GroupCommitOptions` for more). A batch starts on
 * the event loop's next turn, so that callers whose previous item just settled can submit their
 * next one into it, or as soon as it is `maxBatch` long. `commit` returns one result per item,
 * in order; if it fails, every promise of the batch rejects with its error.
 */
export class GroupCommit<T, R> {
  readonly #commit: (items: T[]) => Promise<R[]>;
  readonly #maxBatch: number;
  readonly #concurrency: number;
  #waiting: Waiting<T, R>[] = [];
  #scheduled = false;
  readonly #running = new Set<Promise<void>>();

  constructor(commit: (items: T[]) => Promise<R[]>, options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#maxBatch = options.maxBatch ?? Number.POSITIVE_INFINITY;
    this.#concurrency = options.concurrency ?? 1;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length >= this.#maxBatch && this.#canStart()) this.#startBatch();
      else this.#schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (or has failed). */
  async drain(): Promise<void> {
    while (this.#running.size > 0 || this.#waiting.length > 0) {
      if (this.#canStart()) this.#startBatch();
      await Promise.race(this.#running);
    }
  }

  #canStart(): boolean {
    return this.#running.size < this.#concurrency;
  }

  #schedule(): void {
    if (this.#scheduled || !this.#canStart()) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#canStart()) this.#startBatch();
    });
  }

  #startBatch(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;

    const running: Promise<void> = this.#run(batch).finally(() => {
      this.#running.delete(running);
      if (this.#waiting.length > 0) this.#schedule();
    });
    this.#running.add(running);
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const [index, waiting] of batch.entries()) waiting.resolve(results[index]!);
  }
}
