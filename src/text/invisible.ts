/**
 * Characters a reader of rendered GitHub text cannot see but a model reads: zero-width characters, the
 * soft hyphen, bidirectional controls, Hangul fillers, variation selectors and Unicode tag characters.
 * Variation selectors and tag characters can encode arbitrary bytes after a visible character.
 */
const INVISIBLE_CLASS =
  "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}";

const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, "gu");
const ONE_INVISIBLE = new RegExp(`^[${INVISIBLE_CLASS}]$`, "u");

/** Named HTML character references that stand for one of the invisible characters. */
const INVISIBLE_ENTITIES = new Set([
  "shy", "zwj", "zwnj", "lrm", "rlm", "ZeroWidthSpace", "NoBreak", "ApplyFunction", "af", "InvisibleTimes", "it",
  "InvisibleComma", "ic", "NegativeVeryThinSpace", "NegativeThinSpace", "NegativeMediumSpace", "NegativeThickSpace",
]);

export function removeInvisible(text: string): string {
  return text.replace(INVISIBLE, "");
}

/** True when a character reference such as `&#x200B;` or `&zwj;` (name without `&` and `;`) renders as an invisible character. */
export function isInvisibleEntity(name: string): boolean {
  if (INVISIBLE_ENTITIES.has(name)) return true;
  const codePoint = numericEntityCodePoint(name);
  return codePoint !== undefined && ONE_INVISIBLE.test(String.fromCodePoint(codePoint));
}

/** Returns the code point of `#123` or `#x7B`, or undefined for a name or a value outside Unicode. */
export function numericEntityCodePoint(name: string): number | undefined {
  const match = /^#(?:[xX]([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
  if (!match) return undefined;
  const codePoint = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2]);
  return codePoint <= 0x10ffff ? codePoint : undefined;
}
