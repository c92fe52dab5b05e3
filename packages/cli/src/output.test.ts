import { describe, expect, it } from "vitest";
import { formatResult } from "./output.js";

const text = (t: string) => ({ type: "text", text: t });

describe("formatResult", () => {
  it("joins text content with newlines and ends with one newline", () => {
    expect(formatResult({ content: [text("a"), text("b")] })).toBe("a\nb\n");
    expect(formatResult({ content: [text("ends\n")] })).toBe("ends\n");
    expect(formatResult({ content: [] })).toBe("");
  });

  it("prefers structuredContent: compact when piped, pretty on a terminal", () => {
    const result = { content: [text("5")], structuredContent: { sum: 5 } };
    expect(formatResult(result)).toBe('{"sum":5}\n');
    expect(formatResult(result, { tty: true })).toBe('{\n  "sum": 5\n}\n');
  });

  it("prints an error's text, not its structuredContent", () => {
    const result = { content: [text("bad")], structuredContent: { x: 1 }, isError: true };
    expect(formatResult(result)).toBe("bad\n");
  });

  it("re-indents JSON text for the output", () => {
    const result = { content: [text('{\n  "a": 1\n}')] };
    expect(formatResult(result)).toBe('{"a":1}\n');
    expect(formatResult({ content: [text('{"a":1}')] }, { tty: true })).toBe('{\n  "a": 1\n}\n');
  });

  it("strips terminal escapes only on a terminal", () => {
    const result = { content: [text("\x1b[31mred\x1b[0m\x1b]52;c;ZXZpbA==\x07!")] };
    expect(formatResult(result)).toBe("\x1b[31mred\x1b[0m\x1b]52;c;ZXZpbA==\x07!\n");
    expect(formatResult(result, { tty: true })).toBe("red!\n");
  });

  it("hands images, audio and blob resources to saveBinary", () => {
    const seen: string[] = [];
    const out = formatResult(
      {
        content: [
          { type: "image", data: "aGk=", mimeType: "image/png" },
          { type: "audio", data: "aGk=", mimeType: "audio/wav" },
          { type: "resource", resource: { uri: "file:///x/report.pdf", blob: "aGk=" } },
          { type: "resource", resource: { uri: "mem://t", text: "inline" } },
          { type: "resource_link", uri: "file:///y", name: "y" },
        ],
      },
      {
        saveBinary: (item) => {
          seen.push(`${item.type}:${item.mimeType}:${item.uri}:${item.index}`);
          return `/tmp/file${item.index}`;
        },
      },
    );
    expect(seen).toEqual([
      "image:image/png:undefined:0",
      "audio:audio/wav:undefined:1",
      "resource:undefined:file:///x/report.pdf:2",
    ]);
    expect(out).toBe("/tmp/file0\n/tmp/file1\n/tmp/file2\ninline\nfile:///y\n");
  });

  it("describes binary content when there is no saveBinary", () => {
    expect(
      formatResult({ content: [{ type: "image", data: "aGk=", mimeType: "image/png" }] }),
    ).toBe("[image image/png, 2 bytes]\n");
  });

  it("prints the whole result with raw", () => {
    const result = { content: [text("5")], structuredContent: { sum: 5 } };
    expect(JSON.parse(formatResult(result, { raw: true }))).toEqual(result);
  });
});
