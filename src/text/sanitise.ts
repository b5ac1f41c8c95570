/**
 * Removes from GitHub markdown what a person reading the rendered issue or comment does not see, so that
 * instructions hidden from the maintainer never reach a model:
 *
 * - HTML comments, including an unterminated `<!--` that hides the rest of the text, CDATA sections,
 *   processing instructions and declarations.
 * - `<script>`, `<style>`, `<template>` and `<noscript>` elements, and any element with a `hidden`
 *   attribute or an inline style that hides it, with everything inside.
 * - Zero-width characters, the soft hyphen, bidirectional controls, variation selectors and Unicode tag
 *   characters, also when written as character references.
 * - Image alt text, replaced by `[image]`, and the attributes of the HTML tags that stay, except `href`.
 * - Link reference definitions (`[label]: url "title"`), which render as nothing.
 *
 * Code blocks and code spans keep their text, `<!-- -->` included, because GitHub shows it verbatim;
 * only invisible characters are removed from them. `<details>` stays with its content, which a reader can
 * expand. When the scanner is unsure whether text is code, it treats it as prose, so it may remove text
 * that GitHub shows but never keeps text that GitHub hides.
 */
import { readTag, isHiddenStyle, type HtmlTag } from "./html-tag.js";
import { isInvisibleEntity, removeInvisible } from "./invisible.js";
import { backtickRunEnd, codeSpanEnd, fencedBlockEnd, isLineStart } from "./markdown-code.js";

export const IMAGE_PLACEHOLDER = "[image]";

/** Elements whose content is never rendered. */
const HIDDEN_ELEMENTS = new Set(["script", "style", "template", "noscript"]);
/** Elements whose content is raw text that ends at the first matching end tag. */
const RAW_TEXT_ELEMENTS = new Set(["script", "style"]);
const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

// NOTE: fences inside list items or block quotes, and indented code blocks, are read as prose, so a
// `<!-- -->` shown there as code is removed. Definitions that span several lines are kept.
const LINK_DEFINITION = / {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*(?:<[^>\n]*>|\S+)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*(?:\n|$)/y;
const CHARACTER_REFERENCE = /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/y;
const PLAIN_TEXT = /[^`\\<!&\n]*\n?/y;

interface Step {
  output: string;
  end: number;
}

/** Returns the text of `markdown` that is visible when GitHub renders it. */
export function sanitiseForModel(markdown: string): string {
  const text = markdown.replace(/\r\n?/g, "\n");
  const parts: string[] = [];
  let index = 0;
  while (index < text.length) {
    const step = nextStep(text, index);
    parts.push(step.output);
    index = step.end;
  }
  return removeInvisible(parts.join(""));
}

function nextStep(text: string, index: number): Step {
  if (isLineStart(text, index)) {
    const lineStep = lineStartStep(text, index);
    if (lineStep) return lineStep;
  }
  switch (text[index]) {
    case "`": {
      const end = codeSpanEnd(text, index) ?? backtickRunEnd(text, index);
      return { output: text.slice(index, end), end };
    }
    case "\\":
      return { output: text.slice(index, index + 2), end: index + 2 };
    case "<":
      return markupStep(text, index);
    case "!":
      return imageStep(text, index) ?? { output: "!", end: index + 1 };
    case "&":
      return referenceStep(text, index);
    default: {
      PLAIN_TEXT.lastIndex = index;
      PLAIN_TEXT.exec(text);
      const end = Math.max(PLAIN_TEXT.lastIndex, index + 1);
      return { output: text.slice(index, end), end };
    }
  }
}

function lineStartStep(text: string, index: number): Step | undefined {
  const fenceEnd = fencedBlockEnd(text, index);
  if (fenceEnd !== undefined) return { output: text.slice(index, fenceEnd), end: fenceEnd };
  LINK_DEFINITION.lastIndex = index;
  if (LINK_DEFINITION.exec(text)) return { output: "", end: LINK_DEFINITION.lastIndex };
  return undefined;
}

function markupStep(text: string, index: number): Step {
  if (text.startsWith("<!--", index)) return { output: "", end: commentEnd(text, index) };
  if (text.startsWith("<![CDATA[", index)) return { output: "", end: endAfter(text, "]]>", index) };
  if (/^<(\?|![A-Za-z])/.test(text.slice(index, index + 3))) return { output: "", end: endAfter(text, ">", index) };
  const tag = readTag(text, index);
  if (!tag) return { output: "<", end: index + 1 };
  if (tag.closing) return { output: `</${tag.name}>`, end: tag.end };
  if (tag.name === "img") return { output: IMAGE_PLACEHOLDER, end: tag.end };
  if (!isHiddenElement(tag)) return { output: keptTag(tag), end: tag.end };
  if (RAW_TEXT_ELEMENTS.has(tag.name)) return { output: "", end: rawTextEnd(text, tag) };
  if (VOID_ELEMENTS.has(tag.name)) return { output: "", end: tag.end };
  return { output: "", end: elementEnd(text, tag) };
}

/** Returns the index after the comment at `start`. `<!-->` and `<!--->` are complete empty comments. */
function commentEnd(text: string, start: number): number {
  const body = start + "<!--".length;
  if (text.startsWith(">", body)) return body + 1;
  if (text.startsWith("->", body)) return body + 2;
  return endAfter(text, "-->", body);
}

function endAfter(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found < 0 ? text.length : found + terminator.length;
}

function isHiddenElement(tag: HtmlTag): boolean {
  if (HIDDEN_ELEMENTS.has(tag.name) || tag.attributes.has("hidden")) return true;
  const style = tag.attributes.get("style");
  return style !== undefined && isHiddenStyle(style);
}

function keptTag(tag: HtmlTag): string {
  const href = tag.name === "a" ? tag.attributes.get("href") : undefined;
  return href === undefined ? `<${tag.name}>` : `<a href="${href.replace(/"/g, "&quot;")}">`;
}

function rawTextEnd(text: string, tag: HtmlTag): number {
  const close = new RegExp(`</${tag.name}(?=[\\s/>])[^>]*>`, "gi");
  close.lastIndex = tag.end;
  return close.exec(text) ? close.lastIndex : text.length;
}

/**
 * Returns the index after the end tag that closes `open`, counting nested elements of the same name, or
 * the end of the text when none does. Tags inside comments, code and attribute values do not count.
 */
function elementEnd(text: string, open: HtmlTag): number {
  let depth = 1;
  let index = open.end;
  while (index < text.length) {
    const fenceEnd = isLineStart(text, index) ? fencedBlockEnd(text, index) : undefined;
    if (fenceEnd !== undefined) {
      index = fenceEnd;
    } else if (text[index] === "`") {
      index = codeSpanEnd(text, index) ?? backtickRunEnd(text, index);
    } else if (text.startsWith("<!--", index)) {
      index = commentEnd(text, index);
    } else if (text[index] === "<") {
      const tag = readTag(text, index);
      if (tag?.name === open.name) depth += tag.closing ? -1 : 1;
      if (depth === 0) return tag?.end ?? text.length;
      index = tag ? tag.end : index + 1;
    } else {
      index += 1;
    }
  }
  return text.length;
}

/** Replaces `![alt](url)`, `![alt][ref]` and `![alt]` with the placeholder. */
function imageStep(text: string, index: number): Step | undefined {
  if (text[index + 1] !== "[") return undefined;
  const labelEnd = closingBracket(text, index + 1, "[", "]");
  if (labelEnd === undefined) return undefined;
  let end = labelEnd;
  if (text[end] === "(") end = closingBracket(text, end, "(", ")") ?? end;
  else if (text[end] === "[") end = closingBracket(text, end, "[", "]") ?? end;
  return { output: IMAGE_PLACEHOLDER, end };
}

/**
 * Returns the index after the bracket that closes the one at `start`, skipping escapes, code spans and
 * quoted titles; undefined when the paragraph ends first.
 */
function closingBracket(text: string, start: number, open: string, close: string): number | undefined {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === "\\") {
      index += 2;
      continue;
    }
    if (char === "\n" && /^\n[ \t]*\n/.test(text.slice(index, index + 80))) return undefined;
    if (char === "`") {
      index = codeSpanEnd(text, index) ?? backtickRunEnd(text, index);
      continue;
    }
    if (char === '"' && open === "(") {
      const quoteEnd = text.indexOf('"', index + 1);
      index = quoteEnd < 0 ? index + 1 : quoteEnd + 1;
      continue;
    }
    if (char === open) depth += 1;
    if (char === close) depth -= 1;
    index += 1;
    if (depth === 0) return index;
  }
  return undefined;
}

function referenceStep(text: string, index: number): Step {
  CHARACTER_REFERENCE.lastIndex = index;
  const match = CHARACTER_REFERENCE.exec(text);
  if (!match) return { output: "&", end: index + 1 };
  return { output: isInvisibleEntity(match[1] ?? "") ? "" : match[0], end: CHARACTER_REFERENCE.lastIndex };
}
