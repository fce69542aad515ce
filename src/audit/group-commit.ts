interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while the event loop is busy are committed together on its next
 * turn, in one transaction, and every submitter's promise settles after that commit. One fsync
 * then covers a whole batch, which is what makes durable appends fast under concurrency.
 *
 * `commit` runs synchronously (better-sqlite3 is synchronous) and returns one result per item, in
 * order; if it throws, every promise of the batch rejects with that error.
 */
export class GroupCommit<T, R> {
  readonly #commit: (items: T[]) => R[];
  #waiting: Waiting<T, R>[] = [];
  #scheduled = false;

  constructor(commit: (items: T[]) => R[]) {
    this.#commit = commit;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits what is waiting now, without waiting for the next turn (used on close). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;

    let results: R[];
    try {
      results = this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }

    for (const [index, waiting] of batch.entries()) waiting.resolve(results[index]!);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }
}
