export { applyEdits, type ApplyFailure, type ApplyOptions, type ApplyResult } from "./apply.js";
export { applyDiff, applySearchReplace } from "./apply-text.js";
export type * from "./edit.js";
export { parseEdits } from "./parse-edits.js";
export { DEFAULT_PROTECTED_PATHS } from "./path-safety.js";
export { parseSearchReplace } from "./search-replace.js";
export { decodeText, documentText, type TextDocument } from "./text-document.js";
