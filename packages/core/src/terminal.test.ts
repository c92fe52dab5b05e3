import { describe, expect, it } from "vitest";
import { stripTerminalEscapes } from "./terminal.js";

const ESC = "\x1b";
const BEL = "\x07";
const ST = `${ESC}\\`;

describe("stripTerminalEscapes: hostile sequences", () => {
  it("removes an OSC 52 clipboard write terminated by BEL", () => {
    expect(stripTerminalEscapes(`a${ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g=${BEL}b`)).toBe("ab");
  });

  it("removes an OSC 52 clipboard write terminated by ST", () => {
    expect(stripTerminalEscapes(`a${ESC}]52;c;Y3VybA==${ST}b`)).toBe("ab");
  });

  it("removes OSC window titles and OSC 8 hyperlinks but keeps the link text", () => {
    expect(stripTerminalEscapes(`${ESC}]0;pwned${BEL}x`)).toBe("x");
    const link = `${ESC}]8;;https://evil.example${ST}click${ESC}]8;;${ST}`;
    expect(stripTerminalEscapes(link)).toBe("click");
  });

  it("swallows an unterminated OSC to the end, as a terminal would", () => {
    expect(stripTerminalEscapes(`ok${ESC}]52;c;aGVsbG8=`)).toBe("ok");
  });

  it("removes CSI sequences: colours, cursor moves, screen clears, private modes", () => {
    const input = `${ESC}[31mred${ESC}[0m ${ESC}[2J${ESC}[H${ESC}[?1049h${ESC}[10;20Hx${ESC}[1;31;4m!`;
    expect(stripTerminalEscapes(input)).toBe("red x!");
  });

  it("removes a CSI cut off at the end of the text", () => {
    expect(stripTerminalEscapes(`a${ESC}[31`)).toBe("a");
  });

  it("removes 8-bit C1 CSI and OSC introducers with their sequences", () => {
    expect(stripTerminalEscapes("a\x9b31mb")).toBe("ab");
    expect(stripTerminalEscapes("a\x9d52;c;eA==\x07b")).toBe("ab");
    expect(stripTerminalEscapes("a\x9d0;title\x9cb")).toBe("ab");
  });

  it("removes DCS, APC, PM and SOS strings", () => {
    for (const intro of ["P", "_", "^", "X"]) {
      expect(stripTerminalEscapes(`a${ESC}${intro}payload${ST}b`)).toBe("ab");
    }
  });

  it("removes lone two-byte escapes such as RIS (full reset) and charset switches", () => {
    expect(stripTerminalEscapes(`a${ESC}cb${ESC}(0c${ESC}7d`)).toBe("abcd");
    expect(stripTerminalEscapes(`end${ESC}`)).toBe("end");
  });

  it("removes each C0 control other than newline and tab, DEL and each C1 control", () => {
    // ESC and the C1 introducers of CSI, DCS, SOS, OSC, PM and APC start
    // sequences that take the following text with them; tested above.
    const introducers = new Set([0x1b, 0x90, 0x98, 0x9b, 0x9d, 0x9e, 0x9f]);
    const controls = [
      ...Array.from({ length: 32 }, (_, i) => i),
      0x7f,
      ...Array.from({ length: 32 }, (_, i) => 0x80 + i),
    ].filter((code) => code !== 0x09 && code !== 0x0a && !introducers.has(code));
    for (const code of controls) {
      const out = stripTerminalEscapes(`a${String.fromCharCode(code)}b`);
      expect({ code: code.toString(16), out }).toEqual({ code: code.toString(16), out: "ab" });
    }
  });

  it("lets an unterminated C1 string swallow the rest, as a terminal would", () => {
    expect(stripTerminalEscapes("a\x90q1\x9cb\x9dtitle and everything after")).toBe("ab");
  });

  it("removes carriage returns and backspaces that could overwrite what was printed", () => {
    expect(stripTerminalEscapes("safe\rEVIL\b\b")).toBe("safeEVIL");
    expect(stripTerminalEscapes("line\r\n")).toBe("line\n");
  });

  it("removes bidi embeddings, overrides and isolates", () => {
    const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    expect(stripTerminalEscapes(`access${bidi}Level`)).toBe("accessLevel");
  });

  it("leaves no escape character behind, whatever the mix", () => {
    const mixes = [
      `${ESC}${ESC}[31m`,
      `${ESC}\x00[31m`,
      `${ESC}]${ESC}[1m`,
      `\x9b\x9b`,
      `${ESC}[${ESC}]`,
    ];
    for (const mix of mixes) {
      expect(stripTerminalEscapes(`a${mix}b`)).not.toMatch(/[\x1b\x9b\x9d\x00]/);
    }
  });
});

describe("stripTerminalEscapes: ordinary text", () => {
  it("keeps emoji, CJK, accents, RTL script and other normal Unicode", () => {
    const text = "héllo wörld ñ 😀👩‍👩‍👧 中文 日本語 한국어 שלום مرحبا € ™ \u00a0 ZWJ\u200d";
    expect(stripTerminalEscapes(text)).toBe(text);
  });

  it("keeps newlines, tabs and brackets that are not part of a sequence", () => {
    const text = "a\tb\n[31m] (0) ]52;c;x\n";
    expect(stripTerminalEscapes(text)).toBe(text);
  });

  it("returns an empty string for empty input", () => {
    expect(stripTerminalEscapes("")).toBe("");
  });
});
