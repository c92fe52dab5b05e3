const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines with a cap on line length. A line over the
 * cap is dropped whole (reported once through `onOversize`) instead of being
 * buffered, so junk from a child process never grows memory without bound.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pending = 0;
  private skipping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string, bytes: number) => void,
    private readonly onOversize: (bytes: number) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.skipping && this.pending + (end - start) > this.maxBytes) {
        this.skipping = true;
        this.onOversize(this.pending + (end - start));
        this.pieces = [];
        this.pending = 0;
      }
      if (newline === -1) {
        if (!this.skipping) {
          this.pieces.push(chunk.subarray(start));
          this.pending += chunk.length - start;
        }
        return;
      }
      if (this.skipping) {
        this.skipping = false;
      } else {
        const bytes =
          this.pieces.length === 0
            ? chunk.subarray(start, newline)
            : Buffer.concat([...this.pieces, chunk.subarray(start, newline)]);
        this.pieces = [];
        this.pending = 0;
        let line = bytes.toString("utf8");
        if (line.endsWith("\r")) line = line.slice(0, -1);
        this.onLine(line, bytes.length);
      }
      start = newline + 1;
    }
  }

  /** Emits what is left without a final newline. */
  flush(): void {
    if (!this.skipping && this.pending > 0) {
      const line = Buffer.concat(this.pieces).toString("utf8");
      this.onLine(line, this.pending);
    }
    this.pieces = [];
    this.pending = 0;
    this.skipping = false;
  }
}
