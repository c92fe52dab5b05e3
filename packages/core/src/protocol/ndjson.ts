import { McpwardError } from "../errors.js";

const NEWLINE = 0x0a;
const CR = 0x0d;

/** One decoded line: a parsed value, or why the line was rejected. */
export type DecodedFrame =
  | { ok: true; value: unknown }
  | { ok: false; error: McpwardError; fatal: boolean };

/**
 * Splits a byte stream into newline-delimited JSON values. Bytes are joined
 * before decoding, so multi-byte UTF-8 characters split across chunks decode
 * correctly; CRLF endings and blank lines are tolerated. A line longer than
 * `maxBytes` is rejected as soon as the cap is crossed, before more of it is
 * buffered, and the decoder stops (the connection must be closed).
 */
export class NdjsonDecoder {
  private pieces: Buffer[] = [];
  private pending = 0;
  private failed = false;
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true });

  /** @param maxBytes - largest line accepted, newline (LF or CRLF) excluded */
  constructor(private readonly maxBytes: number) {}

  /** True once a line over the cap was seen; the stream can no longer be trusted. */
  get closed(): boolean {
    return this.failed;
  }

  /** Feeds bytes; returns the frames completed by them, in order. */
  push(chunk: Uint8Array): DecodedFrame[] {
    if (this.failed) return [];
    const out: DecodedFrame[] = [];
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      // The \r of a CRLF ending is part of the newline, not of the frame.
      const allowed = this.lastByte(buffer, start, end) === CR ? this.maxBytes + 1 : this.maxBytes;
      if (this.pending + (end - start) > allowed) {
        this.failed = true;
        this.pieces = [];
        this.pending = 0;
        out.push({ ok: false, fatal: true, error: tooLarge(this.maxBytes) });
        return out;
      }
      if (newline === -1) {
        // A copy: the caller may reuse its buffer for the next read.
        this.pieces.push(Buffer.from(buffer.subarray(start)));
        this.pending += buffer.length - start;
        break;
      }
      const line =
        this.pieces.length === 0
          ? buffer.subarray(start, newline)
          : Buffer.concat([...this.pieces, buffer.subarray(start, newline)]);
      this.pieces = [];
      this.pending = 0;
      start = newline + 1;
      const frame = this.decodeLine(line);
      if (frame !== null) out.push(frame);
    }
    return out;
  }

  /** Last byte of the line so far: `buffer[start, end)` after the buffered pieces. */
  private lastByte(buffer: Buffer, start: number, end: number): number | undefined {
    if (end > start) return buffer[end - 1];
    const last = this.pieces.at(-1);
    return last?.[last.length - 1];
  }

  private decodeLine(bytes: Buffer): DecodedFrame | null {
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      return { ok: false, fatal: false, error: badFrame("frame is not valid UTF-8") };
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") return null;
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false, fatal: false, error: badFrame("frame is not valid JSON") };
    }
  }
}

function tooLarge(maxBytes: number): McpwardError {
  return new McpwardError(
    "FRAME_TOO_LARGE",
    `frame is larger than ${maxBytes} bytes; send less data or raise MCPWARD_MAX_FRAME_BYTES`,
  );
}

function badFrame(problem: string): McpwardError {
  return new McpwardError("BAD_FRAME", `${problem}; each line must be one JSON object`);
}

/**
 * Encodes one frame as a JSON line.
 *
 * @throws McpwardError `FRAME_TOO_LARGE` when the line exceeds `maxBytes`, or
 *   `INTERNAL` when the value has no JSON form (undefined, a function, a
 *   BigInt, a cycle).
 */
export function encodeFrame(value: unknown, maxBytes = Number.POSITIVE_INFINITY): string {
  let line: string | undefined;
  try {
    line = JSON.stringify(value);
  } catch (cause) {
    throw new McpwardError(
      "INTERNAL",
      "frame cannot be encoded as JSON; this is a bug in mcpward",
      {
        cause,
      },
    );
  }
  if (line === undefined) {
    throw new McpwardError(
      "INTERNAL",
      `frame is ${typeof value}, not a JSON value; this is a bug in mcpward`,
    );
  }
  if (line.length > maxBytes / 3 && Buffer.byteLength(line) > maxBytes) throw tooLarge(maxBytes);
  return `${line}\n`;
}
