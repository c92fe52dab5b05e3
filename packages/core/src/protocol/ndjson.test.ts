import { describe, expect, it } from "vitest";
import { McpwardError } from "../errors.js";
import { type DecodedFrame, encodeFrame, NdjsonDecoder } from "./ndjson.js";

const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

/** The parsed values of ok frames; fails on any error frame. */
function values(frames: DecodedFrame[]): unknown[] {
  return frames.map((frame) => {
    if (!frame.ok) throw frame.error;
    return frame.value;
  });
}

/** A JSON string line of exactly `size` bytes (without the newline). */
function lineOfSize(size: number): string {
  return JSON.stringify("a".repeat(size - 2));
}

describe("NdjsonDecoder: frames over the byte cap", () => {
  it("accepts a frame exactly at the cap", () => {
    const decoder = new NdjsonDecoder(64);
    const line = lineOfSize(64);
    expect(Buffer.byteLength(line)).toBe(64);
    expect(values(decoder.push(bytes(`${line}\n`)))).toEqual(["a".repeat(62)]);
    expect(decoder.closed).toBe(false);
  });

  it("rejects a frame one byte over the cap as fatal and closes", () => {
    const decoder = new NdjsonDecoder(64);
    const [frame, ...rest] = decoder.push(bytes(`${lineOfSize(65)}\n`));
    expect(rest).toEqual([]);
    expect(frame?.ok).toBe(false);
    if (frame?.ok !== false) return;
    expect(frame.fatal).toBe(true);
    expect(frame.error.code).toBe("FRAME_TOO_LARGE");
    expect(McpwardError.isInstance(frame.error)).toBe(true);
    expect(frame.error.message).toMatch(/larger than 64 bytes; .*MCPWARD_MAX_FRAME_BYTES/);
    expect(decoder.closed).toBe(true);
  });

  it("fails as soon as cap + 1 bytes arrive with no newline, without waiting for the rest", () => {
    const decoder = new NdjsonDecoder(1024);
    expect(decoder.push(Buffer.alloc(1024, 0x61))).toEqual([]);
    const frames = decoder.push(Buffer.alloc(1, 0x61));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ ok: false, fatal: true });
    expect(decoder.closed).toBe(true);
  });

  it("fails on a single chunk of cap + 1 bytes with no newline", () => {
    const decoder = new NdjsonDecoder(1024);
    expect(decoder.push(Buffer.alloc(1025, 0x61))).toMatchObject([{ ok: false, fatal: true }]);
  });

  it("ignores everything once closed, even valid frames", () => {
    const decoder = new NdjsonDecoder(16);
    decoder.push(Buffer.alloc(17, 0x61));
    expect(decoder.push(bytes('{"a":1}\n'))).toEqual([]);
    expect(decoder.push(Buffer.alloc(10 * 1024 * 1024, 0x61))).toEqual([]);
    expect(decoder.closed).toBe(true);
  });

  it("returns the frames completed before the oversized one in the same chunk", () => {
    const decoder = new NdjsonDecoder(16);
    const frames = decoder.push(bytes(`{"a":1}\n[2]\n${"x".repeat(17)}`));
    expect(frames.slice(0, 2)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: [2] },
    ]);
    expect(frames[2]).toMatchObject({ ok: false, fatal: true });
  });

  it("applies the cap per frame, not to the whole stream", () => {
    const decoder = new NdjsonDecoder(16);
    for (let i = 0; i < 1000; i++) {
      expect(values(decoder.push(bytes(`${lineOfSize(16)}\n`)))).toHaveLength(1);
    }
  });

  it("counts a multi-byte character by its bytes", () => {
    const decoder = new NdjsonDecoder(8);
    // "€€" in quotes is 8 bytes; "€€€" is 11, though only 5 UTF-16 units.
    expect(values(decoder.push(bytes('"€€"\n')))).toEqual(["€€"]);
    expect(decoder.push(bytes('"€€€"\n'))).toMatchObject([{ ok: false, fatal: true }]);
  });

  it("does not count the \\r of a CRLF ending against the cap", () => {
    const decoder = new NdjsonDecoder(64);
    expect(values(decoder.push(bytes(`${lineOfSize(64)}\r\n`)))).toHaveLength(1);
    // The same with the \r and \n in separate chunks.
    expect(decoder.push(bytes(`${lineOfSize(64)}\r`))).toEqual([]);
    expect(values(decoder.push(bytes("\n")))).toHaveLength(1);
    // But a \r does not buy room for more frame bytes.
    expect(decoder.push(bytes(`${lineOfSize(64)}\rx`))).toMatchObject([{ ok: false, fatal: true }]);
  });
});

describe("NdjsonDecoder: bad frames that are not fatal", () => {
  it("reports invalid JSON and keeps decoding later frames", () => {
    const decoder = new NdjsonDecoder(1024);
    const frames = decoder.push(bytes('{"a":\n{"ok":true}\n'));
    expect(frames[0]).toMatchObject({ ok: false, fatal: false });
    if (frames[0]?.ok !== false) return;
    expect(frames[0].error.code).toBe("BAD_FRAME");
    expect(frames[0].error.message).toMatch(/not valid JSON; each line must be one JSON object/);
    expect(frames[1]).toEqual({ ok: true, value: { ok: true } });
    expect(decoder.closed).toBe(false);
  });

  it.each([
    ["a lone continuation byte", [0x80]],
    ["an invalid byte", [0xff]],
    ["an overlong encoding of /", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a truncated 3-byte character", [0xe2, 0x82]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ])("reports %s as invalid UTF-8 and keeps decoding", (_, bad) => {
    const decoder = new NdjsonDecoder(1024);
    const chunk = Buffer.concat([bytes('"'), Buffer.from(bad), bytes('"\n"next"\n')]);
    const frames = decoder.push(chunk);
    expect(frames[0]).toMatchObject({ ok: false, fatal: false });
    if (frames[0]?.ok !== false) return;
    expect(frames[0].error.code).toBe("BAD_FRAME");
    expect(frames[0].error.message).toMatch(/not valid UTF-8/);
    expect(frames[1]).toEqual({ ok: true, value: "next" });
  });

  it("does not let a truncated character at the end of one line swallow the next line", () => {
    const decoder = new NdjsonDecoder(1024);
    const frames = decoder.push(
      Buffer.concat([bytes('"a'), Buffer.from([0xf0, 0x9f]), bytes('\n"b"\n')]),
    );
    expect(frames[0]).toMatchObject({ ok: false, fatal: false });
    expect(frames[1]).toEqual({ ok: true, value: "b" });
  });
});

describe("NdjsonDecoder: splitting and line endings", () => {
  it.each([
    ["2-byte", "é"],
    ["3-byte", "€"],
    ["4-byte", "😀"],
    ["mixed", "aé€😀中"],
  ])("decodes a %s character split across chunks at every byte position", (_, text) => {
    const line = bytes(`${JSON.stringify({ t: text })}\n`);
    for (let cut = 1; cut < line.length; cut++) {
      const decoder = new NdjsonDecoder(1024);
      const frames = [...decoder.push(line.subarray(0, cut)), ...decoder.push(line.subarray(cut))];
      expect({ cut, frames: values(frames) }).toEqual({ cut, frames: [{ t: text }] });
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const decoder = new NdjsonDecoder(1024);
    const stream = bytes('{"a":"é€😀"}\n[1,2]\r\n"x"\n');
    const frames: DecodedFrame[] = [];
    for (const byte of stream) frames.push(...decoder.push(Uint8Array.of(byte)));
    expect(values(frames)).toEqual([{ a: "é€😀" }, [1, 2], "x"]);
  });

  it("tolerates CRLF endings and blank or whitespace-only lines", () => {
    const decoder = new NdjsonDecoder(1024);
    expect(values(decoder.push(bytes('\n\r\n  \n{"a":1}\r\n\t\n[2]\n')))).toEqual([{ a: 1 }, [2]]);
  });

  it("keeps an incomplete last line until its newline arrives", () => {
    const decoder = new NdjsonDecoder(1024);
    expect(decoder.push(bytes('{"a":'))).toEqual([]);
    expect(decoder.push(bytes("1"))).toEqual([]);
    expect(values(decoder.push(bytes("}\n")))).toEqual([{ a: 1 }]);
  });

  it("keeps its own copy of a partial line when the caller reuses its buffer", () => {
    const decoder = new NdjsonDecoder(1024);
    const shared = Buffer.from('{"a":');
    expect(decoder.push(shared)).toEqual([]);
    shared.write("XXXXX");
    expect(values(decoder.push(bytes("1}\n")))).toEqual([{ a: 1 }]);
  });

  it("accepts plain Uint8Array chunks", () => {
    const decoder = new NdjsonDecoder(1024);
    expect(values(decoder.push(new TextEncoder().encode('"u8"\n')))).toEqual(["u8"]);
  });

  it("keeps a __proto__ key as data, leaving removal to deepSanitize", () => {
    const decoder = new NdjsonDecoder(1024);
    const [value] = values(decoder.push(bytes('{"__proto__":{"polluted":1}}\n'))) as object[];
    expect(Object.hasOwn(value as object, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("encodeFrame", () => {
  it("refuses a value with no JSON form with an McpwardError, not a TypeError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [undefined, () => 1, Symbol("s"), 1n, cyclic]) {
      let error: unknown;
      try {
        encodeFrame(value);
      } catch (caught) {
        error = caught;
      }
      expect(McpwardError.isInstance(error)).toBe(true);
      expect((error as McpwardError).code).toBe("INTERNAL");
    }
  });

  it("refuses a line over maxBytes with FRAME_TOO_LARGE, counting UTF-8 bytes", () => {
    // 22 "€" in quotes: 22 UTF-16 units + 2, but 68 bytes.
    const value = "€".repeat(22);
    expect(() => encodeFrame(value, 68)).not.toThrow();
    let error: unknown;
    try {
      encodeFrame(value, 67);
    } catch (caught) {
      error = caught;
    }
    expect((error as McpwardError).code).toBe("FRAME_TOO_LARGE");
  });

  it("escapes newlines inside strings so one value is one line", () => {
    const line = encodeFrame({ text: "a\nb\r\nc\u2028d" });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
  });

  it("round-trips through the decoder, including lone surrogates and all of Unicode", () => {
    const frames = [
      { id: 1, method: "ping" },
      { id: 2, result: { text: "é€😀中\u0000\t\n", n: -0.5, list: [null, true] } },
      { id: 3, error: { code: "BAD_FRAME", message: "x" } },
      "lone \ud800 surrogate",
      [],
    ];
    const decoder = new NdjsonDecoder(1024);
    const stream = Buffer.concat(frames.map((frame) => bytes(encodeFrame(frame))));
    expect(values(decoder.push(stream))).toEqual(JSON.parse(JSON.stringify(frames)));
  });
});
