import { Language, type Node, Parser, Query } from "web-tree-sitter";
import { grammarPath, type LanguageId } from "./languages.js";
import { TAG_QUERIES } from "./tag-queries.js";

/** One definition found in a file. */
export interface Definition {
  name: string;
  /** `function`, `method`, `class`, `interface`, `type`, `enum`, `module`, `macro`, `constant` or `impl`. */
  kind: string;
  /** 1-based line of the definition's first line. */
  line: number;
  /** The definition's header: its text up to the body, on one line, at most `MAX_SIGNATURE_CHARACTERS`. */
  signature: string;
  /** Number of enclosing definitions, for indenting the repository map. */
  depth: number;
}

/** Definitions in source order and referenced names with their counts. */
export interface SymbolTable {
  definitions: Definition[];
  references: Record<string, number>;
}

const MAX_SIGNATURE_CHARACTERS = 200;
/** Parsing stops after this long and the file counts as text only; generated parsers can hit pathological inputs. */
const PARSE_TIMEOUT_MS = 5_000;

/** Node types that contain the body of a C or C++ function declarator; the signature is taken from them. */
const DECLARATION_TYPES = new Set(["function_definition", "declaration", "field_declaration"]);
const DECLARATOR_WRAPPERS = new Set(["pointer_declarator", "reference_declarator", "function_declarator", "parenthesized_declarator"]);

interface FoundDefinition {
  name: string;
  kind: string;
  node: Node;
  nameStart: number;
  patternIndex: number;
}

interface LoadedLanguage {
  parser: Parser;
  query: Query;
}

/** Parses source files with tree-sitter and extracts their symbol tables; grammars load on first use. */
export class SymbolExtractor {
  private readonly loaded = new Map<LanguageId, Promise<LoadedLanguage>>();

  private constructor() {}

  static async create(): Promise<SymbolExtractor> {
    await Parser.init();
    return new SymbolExtractor();
  }

  /** Extracts definitions and references; throws when the grammar or its query fails to load, or parsing times out. */
  async extract(language: LanguageId, text: string): Promise<SymbolTable> {
    const { parser, query } = await this.load(language);
    const deadline = Date.now() + PARSE_TIMEOUT_MS;
    parser.reset();
    const tree = parser.parse(text, null, { progressCallback: () => Date.now() > deadline });
    if (!tree) throw new Error(`parsing timed out after ${PARSE_TIMEOUT_MS} ms`);
    try {
      return collectSymbols(query, tree.rootNode);
    } finally {
      tree.delete();
    }
  }

  private load(language: LanguageId): Promise<LoadedLanguage> {
    let loading = this.loaded.get(language);
    if (!loading) {
      loading = loadLanguage(language);
      this.loaded.set(language, loading);
    }
    return loading;
  }
}

async function loadLanguage(language: LanguageId): Promise<LoadedLanguage> {
  const grammar = await Language.load(grammarPath(language));
  const parser = new Parser();
  parser.setLanguage(grammar);
  return { parser, query: new Query(grammar, TAG_QUERIES[language]) };
}

function collectSymbols(query: Query, root: Node): SymbolTable {
  const found = new Map<number, FoundDefinition>();
  const referenceNodes: Node[] = [];

  for (const match of query.matches(root)) {
    let nameNode: Node | undefined;
    let definitionNode: Node | undefined;
    let kind = "";
    for (const capture of match.captures) {
      if (capture.name === "name") nameNode = capture.node;
      else if (capture.name === "reference") referenceNodes.push(capture.node);
      else if (capture.name.startsWith("definition.")) {
        definitionNode = capture.node;
        kind = capture.name.slice("definition.".length);
      }
    }
    if (!nameNode || !definitionNode) continue;
    // Two patterns can match one name, such as an exported arrow function; the earlier pattern is the more specific.
    const earlier = found.get(nameNode.startIndex);
    if (earlier && earlier.patternIndex <= match.patternIndex) continue;
    found.set(nameNode.startIndex, {
      name: nameNode.text,
      kind,
      node: declarationOf(definitionNode),
      nameStart: nameNode.startIndex,
      patternIndex: match.patternIndex,
    });
  }

  // A Map, because names such as "toString" or "constructor" would hit Object.prototype in a plain object.
  const references = new Map<string, number>();
  for (const node of referenceNodes) {
    if (found.has(node.startIndex)) continue;
    const name = node.text;
    references.set(name, (references.get(name) ?? 0) + 1);
  }
  return { definitions: toDefinitions([...found.values()]), references: Object.fromEntries(references) };
}

/** Climbs from a C or C++ function declarator to the declaration that contains its return type. */
function declarationOf(node: Node): Node {
  if (node.type !== "function_declarator") return node;
  let current: Node = node;
  while (current.parent && DECLARATOR_WRAPPERS.has(current.parent.type)) current = current.parent;
  const parent = current.parent;
  return parent && DECLARATION_TYPES.has(parent.type) ? parent : current;
}

const CLASS_KINDS = new Set(["class", "interface", "impl"]);

function toDefinitions(found: FoundDefinition[]): Definition[] {
  found.sort((left, right) => left.node.startIndex - right.node.startIndex || left.nameStart - right.nameStart);
  const open: Array<{ end: number; kind: string }> = [];
  const definitions: Definition[] = [];
  for (const { name, kind, node } of found) {
    while (open.length > 0 && (open.at(-1)?.end ?? 0) <= node.startIndex) open.pop();
    const insideClass = CLASS_KINDS.has(open.at(-1)?.kind ?? "");
    const finalKind = kind === "function" && insideClass ? "method" : kind;
    definitions.push({ name, kind: finalKind, line: node.startPosition.row + 1, signature: signatureOf(node), depth: open.length });
    open.push({ end: node.endIndex, kind: finalKind });
  }
  return definitions;
}

/** Extracts the definition's text before its body, whitespace collapsed, or its first line when it has no body field. */
function signatureOf(node: Node): string {
  const body = bodyOf(node);
  // `export` belongs to the parent statement in the JavaScript and TypeScript grammars, but shows the reader what is public.
  const start = node.parent?.type === "export_statement" ? node.parent : node;
  const text = start.text;
  let header = body && body.startIndex > start.startIndex ? text.slice(0, body.startIndex - start.startIndex) : (text.split("\n", 1)[0] ?? "");
  header = header.replace(/\s+/g, " ").replace(/([([]) /g, "$1").replace(/ ([)\]])/g, "$1").trim();
  header = header.replace(/\s*(=>|[=:;{])$/, "");
  return header.length > MAX_SIGNATURE_CHARACTERS ? `${header.slice(0, MAX_SIGNATURE_CHARACTERS - 1)}…` : header;
}

/** Finds the body of a definition, also when it sits in an assigned function: `const f = () => {…}`, `x.f = function () {…}`. */
function bodyOf(node: Node): Node | null {
  const direct = node.childForFieldName("body");
  if (direct) return direct;
  const assigned = node.childForFieldName("value") ?? node.childForFieldName("right") ?? node.firstNamedChild?.childForFieldName("value");
  return assigned?.childForFieldName("body") ?? null;
}
