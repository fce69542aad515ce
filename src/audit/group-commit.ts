interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a commit is running are committed together by the next
 * one, and every submitter's promise settles after the commit that holds its item. One fsync then
 * covers a whole batch, which is what makes durable appends fast under concurrency.
 *
 * One commit runs at a time. A batch starts on the event loop's next turn, so that callers whose
 * previous item just settled can submit their next one into it. `commit` returns one result per
 * item, in order; if it fails, every promise of the batch rejects with its error.
 */
export class GroupCommit<T, R> {
  readonly #commit: (items: T[]) => Promise<R[]>;
  #waiting: Waiting<T, R>[] = [];
  #scheduled = false;
  #running: Promise<void> | null = null;

  constructor(commit: (items: T[]) => Promise<R[]>) {
    this.#commit = commit;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (or has failed). */
  async drain(): Promise<void> {
    while (this.#running || this.#waiting.length > 0) {
      if (!this.#running) this.#startBatch();
      await this.#running;
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#running) this.#startBatch();
    });
  }

  #startBatch(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;

    this.#running = this.#run(batch).finally(() => {
      this.#running = null;
      if (this.#waiting.length > 0) this.#schedule();
    });
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
