import { numericEntityCodePoint } from "./invisible.js";

/** One start or end tag as a browser tokenises it. */
export interface HtmlTag {
  /** Tag name in lower case. */
  name: string;
  closing: boolean;
  /** Attribute values with character references decoded. The first of repeated names wins. */
  attributes: Map<string, string>;
  /** Index just after the tag's `>`. */
  end: number;
}

const TAG_START = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])/y;
const ATTRIBUTE_NAME = /[^\s/>][^\s/>=]*/y;
const UNQUOTED_VALUE = /[^\s>]*/y;
const WHITESPACE = /\s*/y;

/**
 * Reads the tag that starts at `start` (a `<`). Returns undefined when the text there is not a complete
 * tag, such as `a < b` or a tag without its `>`, because GitHub then shows the text as it is.
 */
export function readTag(text: string, start: number): HtmlTag | undefined {
  TAG_START.lastIndex = start;
  const match = TAG_START.exec(text);
  if (!match) return undefined;
  const closing = match[1] === "/";
  const name = (match[2] ?? "").toLowerCase();
  const attributes = new Map<string, string>();
  let index = TAG_START.lastIndex;
  while (index < text.length) {
    index = skip(WHITESPACE, text, index);
    const char = text[index];
    if (char === ">") return { name, closing, attributes, end: index + 1 };
    if (char === "/") {
      index += 1;
      continue;
    }
    const attribute = readAttribute(text, index);
    if (!attribute) return undefined;
    if (!attributes.has(attribute.name)) attributes.set(attribute.name, decodeCharacterReferences(attribute.value));
    index = attribute.end;
  }
  return undefined;
}

function readAttribute(text: string, start: number): { name: string; value: string; end: number } | undefined {
  ATTRIBUTE_NAME.lastIndex = start;
  const name = ATTRIBUTE_NAME.exec(text)?.[0];
  if (name === undefined) return undefined;
  let index = skip(WHITESPACE, text, ATTRIBUTE_NAME.lastIndex);
  if (text[index] !== "=") return { name: name.toLowerCase(), value: "", end: ATTRIBUTE_NAME.lastIndex };
  index = skip(WHITESPACE, text, index + 1);
  const quote = text[index];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, index + 1);
    if (close < 0) return undefined;
    return { name: name.toLowerCase(), value: text.slice(index + 1, close), end: close + 1 };
  }
  UNQUOTED_VALUE.lastIndex = index;
  const value = UNQUOTED_VALUE.exec(text)?.[0] ?? "";
  return { name: name.toLowerCase(), value, end: UNQUOTED_VALUE.lastIndex };
}

function skip(pattern: RegExp, text: string, index: number): number {
  pattern.lastIndex = index;
  pattern.exec(text);
  return pattern.lastIndex;
}

const NAMED_REFERENCES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", colon: ":", semi: ";", lpar: "(", rpar: ")",
  excl: "!", num: "#", period: ".", comma: ",", sol: "/", bsol: "\\", Tab: "\t", NewLine: "\n", nbsp: " ",
};

/** Decodes numeric character references and the named ones that can spell CSS, so `display&#58;none` is seen. */
export function decodeCharacterReferences(value: string): string {
  return value.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);?/g, (reference, name: string) => {
    const codePoint = numericEntityCodePoint(name);
    if (codePoint !== undefined) return String.fromCodePoint(codePoint);
    return NAMED_REFERENCES[name] ?? reference;
  });
}

/**
 * True when an inline style hides its element: `display: none`, `visibility: hidden` or `collapse`, a
 * zero `font-size` or `opacity`, or `color: transparent`. CSS comments and escapes are undone first.
 */
export function isHiddenStyle(style: string): boolean {
  const plain = style
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, "")
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_escape, hex: string) => String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff)))
    .replace(/\\(.)/g, "$1")
    .toLowerCase();
  return plain.split(";").some((declaration) => {
    const colon = declaration.indexOf(":");
    if (colon < 0) return false;
    const property = declaration.slice(0, colon).trim();
    const value = declaration.slice(colon + 1).replace(/!\s*important/, "").trim();
    return hidesContent(property, value);
  });
}

function hidesContent(property: string, value: string): boolean {
  switch (property) {
    case "display":
      return value === "none";
    case "visibility":
      return value === "hidden" || value === "collapse";
    case "font-size":
    case "opacity":
      return /^[-+]?(0+(\.0*)?|\.0+)([a-z]+|%)?$/.test(value);
    case "color":
      return value === "transparent";
    default:
      return false;
  }
}
