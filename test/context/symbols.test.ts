import { beforeAll, describe, expect, test } from "vitest";
import { LANGUAGES, type LanguageId, languageForPath } from "../../src/context/languages.js";
import { SymbolExtractor } from "../../src/context/symbols.js";

interface Case {
  source: string;
  definitions: Array<[name: string, kind: string, line: number]>;
  references: string[];
  signature?: [name: string, signature: string];
}

const CASES: Record<LanguageId, Case> = {
  typescript: {
    source: [
      "import { z } from 'zod';",
      "export interface Point { x: number }",
      "export class Shape extends Base implements Point {",
      "  area(): number { return compute(this.x); }",
      "}",
      "export const handler = async (request: Request) => new Response();",
      "export type Id = string;",
      "enum Color { Red }",
    ].join("\n"),
    definitions: [
      ["Point", "interface", 2],
      ["Shape", "class", 3],
      ["area", "method", 4],
      ["handler", "function", 6],
      ["Id", "type", 7],
      ["Color", "enum", 8],
    ],
    references: ["Base", "compute", "Request", "Response", "z"],
    signature: ["handler", "export const handler = async (request: Request)"],
  },
  tsx: {
    source: "export function Button(props: Props) {\n  return <button onClick={track}>{label(props)}</button>;\n}\n",
    definitions: [["Button", "function", 1]],
    references: ["Props", "label"],
  },
  javascript: {
    source: "export function add(a, b) {\n  return sum(a, b);\n}\nclass Foo extends Bar {\n  baz() { return new Qux(); }\n}\n",
    definitions: [
      ["add", "function", 1],
      ["Foo", "class", 4],
      ["baz", "method", 5],
    ],
    references: ["sum", "Bar", "Qux"],
  },
  python: {
    source: "from os.path import join\nMAX = 3\n\nclass Repo(Base):\n    def load(self, path: Path) -> None:\n        return join(path)\n\ndef main():\n    Repo().load('x')\n",
    definitions: [
      ["MAX", "constant", 2],
      ["Repo", "class", 4],
      ["load", "method", 5],
      ["main", "function", 8],
    ],
    references: ["join", "Base", "Path", "Repo", "load"],
    signature: ["load", "def load(self, path: Path) -> None"],
  },
  go: {
    source: "package main\n\ntype Server struct {\n\taddr string\n}\n\nfunc (s *Server) Start(port int) error {\n\treturn listen(s.addr)\n}\n",
    definitions: [
      ["Server", "type", 3],
      ["Start", "method", 7],
    ],
    references: ["listen", "Server"],
    signature: ["Start", "func (s *Server) Start(port int) error"],
  },
  rust: {
    source: "pub struct Config {\n    name: String,\n}\n\nimpl Config {\n    pub fn new(name: &str) -> Self {\n        Config { name: name.to_string() }\n    }\n}\n\ntrait Load { fn load(&self); }\n",
    definitions: [
      ["Config", "class", 1],
      ["Config", "impl", 5],
      ["new", "method", 6],
      ["Load", "interface", 11],
      ["load", "method", 11],
    ],
    references: ["String", "to_string"],
  },
  java: {
    source: "package a;\n\npublic class Greeter extends Base {\n  public Greeter() {}\n  public String greet(String name) { return format(name); }\n}\n",
    definitions: [
      ["Greeter", "class", 3],
      ["Greeter", "method", 4],
      ["greet", "method", 5],
    ],
    references: ["Base", "String", "format"],
  },
  c: {
    source: "#define MAX 4\nstruct point { int x; };\ntypedef struct point point_t;\nstatic int *make(int n) { return alloc(n); }\nint add(int a, int b);\n",
    definitions: [
      ["MAX", "macro", 1],
      ["point", "class", 2],
      ["point_t", "type", 3],
      ["make", "function", 4],
      ["add", "function", 5],
    ],
    references: ["alloc", "point"],
    signature: ["make", "static int *make(int n)"],
  },
  cpp: {
    source: "namespace geo {\nclass Circle : public Shape {\n public:\n  double area() const;\n};\ndouble Circle::area() const { return compute(r); }\n}\n",
    definitions: [
      ["geo", "module", 1],
      ["Circle", "class", 2],
      ["area", "method", 4],
      ["area", "method", 6],
    ],
    references: ["Shape", "compute"],
  },
  csharp: {
    source: "namespace Shop {\n  public class Cart : Base {\n    public void Add(int x) { Store(x); }\n  }\n}\n",
    definitions: [
      ["Shop", "module", 1],
      ["Cart", "class", 2],
      ["Add", "method", 3],
    ],
    references: ["Base", "Store"],
  },
  ruby: {
    source: "module Billing\n  class Invoice < Base\n    def total(items)\n      sum(items)\n    end\n  end\nend\n",
    definitions: [
      ["Billing", "module", 1],
      ["Invoice", "class", 2],
      ["total", "method", 3],
    ],
    references: ["Base", "sum"],
  },
  php: {
    source: "<?php\nclass Cart extends Base {\n  public function add(Item $item): void { $this->store($item); }\n}\nfunction helper() { return new Cart(); }\n",
    definitions: [
      ["Cart", "class", 2],
      ["add", "method", 3],
      ["helper", "function", 5],
    ],
    references: ["Base", "Item", "store", "Cart"],
  },
};

describe("symbol extraction", () => {
  let extractor: SymbolExtractor;

  beforeAll(async () => {
    extractor = await SymbolExtractor.create();
  });

  test("every language has a case", () => {
    expect(Object.keys(CASES).sort()).toEqual([...LANGUAGES].sort());
  });

  test.each(Object.entries(CASES))("%s symbol table", async (language, expected) => {
    const table = await extractor.extract(language as LanguageId, expected.source);

    expect(table.definitions.map((definition) => [definition.name, definition.kind, definition.line])).toEqual(expected.definitions);
    for (const name of expected.references) expect(table.references[name], name).toBeGreaterThan(0);
    if (expected.signature) {
      const [name, signature] = expected.signature;
      expect(table.definitions.find((definition) => definition.name === name)?.signature).toBe(signature);
    }
  });

  test("definition names are not references", async () => {
    const table = await extractor.extract("typescript", "class Alpha {}\ninterface Beta {}\nconst gamma = new Alpha();\n");

    expect(Object.keys(table.references)).toEqual(["Alpha"]);
  });

  test("prototype names count as references", async () => {
    const table = await extractor.extract("javascript", "value.toString();\nconstructor();\n");

    expect(table.references.toString).toBe(1);
    expect(table.references.constructor).toBe(1);
  });

  test("broken source still parses", async () => {
    const table = await extractor.extract("python", "def ok():\n    pass\n\ndef broken(:\n    ???\n");

    expect(table.definitions.map((definition) => definition.name)).toContain("ok");
  });

  test("languages by extension", () => {
    const cases: Array<[string, LanguageId | undefined]> = [
      ["a.ts", "typescript"],
      ["a.tsx", "tsx"],
      ["a.mjs", "javascript"],
      ["a.py", "python"],
      ["a.go", "go"],
      ["a.rs", "rust"],
      ["A.java", "java"],
      ["a.h", "c"],
      ["a.hpp", "cpp"],
      ["a.cs", "csharp"],
      ["Rakefile", "ruby"],
      ["a.php", "php"],
      ["README.md", undefined],
      ["Makefile", undefined],
    ];
    for (const [filePath, language] of cases) expect(languageForPath(filePath), filePath).toBe(language);
  });
});
