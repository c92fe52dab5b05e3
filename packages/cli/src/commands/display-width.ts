import { stripTerminalEscapes } from "@mcpward/core/light";

/** Printable ASCII only: one column per character (the common case). */
const ASCII = /^[\x20-\x7e]*$/;
/** Shown as a two-column emoji: emoji presentation, or text forced to it with VS16. */
const EMOJI = /\p{Emoji_Presentation}|\uFE0F/u;
/** Takes no column: combining marks, format characters (ZWJ, ZWSP), controls. */
const ZERO = /^[\p{M}\p{Cf}\p{Cc}]+$/u;

/**
 * East Asian Wide and Fullwidth ranges (Unicode 15, UAX #11), merged where
 * neighbouring; the emoji among them are caught by {@link EMOJI} first.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo leading consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18cff], // Tangut, Khitan
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x3fffd], // CJK Extensions B and later, planes 2 and 3
];

function isWide(codePoint: number): boolean {
  for (const [from, to] of WIDE) {
    if (codePoint < from) return false;
    if (codePoint <= to) return true;
  }
  return false;
}

let segmenter: Intl.Segmenter | undefined;

/**
 * The number of terminal columns `text` takes once printed: escape sequences
 * and control characters take none (they are stripped before a terminal sees
 * them), combining marks and zero-width characters none, East Asian wide
 * characters and emoji two, everything else one. Counted per grapheme
 * cluster, so a flag, a ZWJ family or a letter with accents is one unit.
 */
export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  const visible = stripTerminalEscapes(text);
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  let width = 0;
  for (const { segment } of segmenter.segment(visible)) {
    if (ZERO.test(segment)) continue;
    if (EMOJI.test(segment) || isWide(segment.codePointAt(0)!)) width += 2;
    else width += 1;
  }
  return width;
}
