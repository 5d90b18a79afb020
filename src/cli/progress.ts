/**
 * Progress of a long wait: one line rewritten in place on a terminal, and a plain line per change
 * when the output is a file or a pipe (logs, CI), so neither gets noise.
 */

export class Progress {
  private last = '';
  private shown = false;
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(text: string): void {
    if (this.stream.isTTY) {
      const line = `${text} (${((Date.now() - this.started) / 1000).toFixed(0)} s)`;
      this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`);
      this.shown = true;
    } else if (text !== this.last) {
      this.stream.write(`${text}\n`);
    }
    this.last = text;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
