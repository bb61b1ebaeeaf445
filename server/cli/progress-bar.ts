import 'server-only';

/**
 * A one-line progress bar for terminals; silent when the output is not a TTY (CI logs, pipes),
 * where only the summary line matters.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #lastLength = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#enabled = Boolean(stream.isTTY);
  }

  /** Redraws at most ten times a second. */
  update(done: number, total: number | null, label: string, force = false): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const width = 28;
    const ratio = total && total > 0 ? Math.min(1, done / total) : 0;
    const bar = total ? '█'.repeat(Math.round(ratio * width)).padEnd(width, '░') : '░'.repeat(width);
    const pct = total ? `${(ratio * 100).toFixed(0).padStart(3)}%` : '   ?';
    const line = `${bar} ${pct} ${label}`;
    this.#stream.write(`\r${line}${' '.repeat(Math.max(0, this.#lastLength - line.length))}`);
    this.#lastLength = line.length;
  }

  done(): void {
    if (this.#enabled && this.#lastLength > 0) this.#stream.write('\n');
    this.#lastLength = 0;
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
