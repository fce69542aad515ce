const BAR_WIDTH = 30;
const REDRAW_MS = 100;

/**
 * A one-line progress bar redrawn in place on a terminal (stderr, so stdout stays clean for
 * scripts). Redraws at most every 100 ms.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  #drawnAt = 0;

  constructor(stream: NodeJS.WriteStream, label: string) {
    this.#stream = stream;
    this.#label = label;
  }

  update(done: number, total: number): void {
    const now = Date.now();
    if (now - this.#drawnAt < REDRAW_MS) return;
    this.#drawnAt = now;

    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    const percent = `${Math.floor(share * 100)}%`.padStart(4);
    this.#stream.write(`\r${this.#label} [${bar}] ${percent} ${done}/${total}`);
  }

  /** Clears the line, so what follows starts on a clean one. */
  clear(): void {
    if (this.#drawnAt > 0) this.#stream.write('\r\u001b[K');
  }
}
