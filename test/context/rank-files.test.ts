import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { indexRepository, type RepositoryIndex } from "../../src/context/index-repository.js";
import { analyzeQuery } from "../../src/context/query-signals.js";
import { rankFiles } from "../../src/context/rank-files.js";
import { git, writeFiles } from "../helpers/git-repository.js";

const PROJECT: Record<string, string> = {
  "shop/cart.py": "from shop.pricing import price_of\n\nclass Cart:\n    def total(self, items):\n        return sum(price_of(item) for item in items)\n",
  "shop/pricing.py": "from shop.discounts import apply_discount\n\ndef price_of(item):\n    return apply_discount(item.price, item.discount)\n",
  "shop/discounts.py": "def apply_discount(price, discount):\n    return price - price * discount / 100\n",
  "shop/inventory.py": "class Inventory:\n    def reserve(self, sku, count):\n        return count\n",
  "shop/shipping.py": "def shipping_cost(weight, country):\n    return weight * 2\n",
  "tests/test_cart.py": "from shop.cart import Cart\n\ndef test_total():\n    assert Cart().total([]) == 0\n",
  "web/server.ts": "import { renderCart } from './views';\nexport function startServer(port: number) { return renderCart(port); }\n",
  "web/views.ts": "export function renderCart(port: number) { return `<div>${port}</div>`; }\n",
  "README.md": "# Shop\nA small shop with carts, pricing and shipping.\n",
};

describe("file ranking", () => {
  let root: string;
  let index: RepositoryIndex;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "magic-rank-"));
    const repo = path.join(root, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet");
    writeFiles(repo, PROJECT);
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "-m", "shop");
    index = await indexRepository({ worktree: repo, cacheDir: path.join(root, "cache") });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("python traceback ranks the raising file first", () => {
    const issue = [
      "Checkout crashes for items with a discount:",
      "Traceback (most recent call last):",
      '  File "/srv/app/shop/cart.py", line 5, in total',
      '  File "/srv/app/shop/pricing.py", line 4, in price_of',
      '  File "/srv/app/shop/discounts.py", line 2, in apply_discount',
      "TypeError: unsupported operand type(s) for *: 'int' and 'NoneType'",
    ].join("\n");

    const ranked = rankFiles(index, issue);

    expect(ranked[0]?.path).toBe("shop/discounts.py");
    expect(ranked[0]?.signals.location).toBeGreaterThan(ranked[1]?.signals.location ?? 0);
    expect(ranked.slice(0, 3).map((file) => file.path).sort()).toEqual(["shop/cart.py", "shop/discounts.py", "shop/pricing.py"]);
  });

  test("node stack trace ranks its top frame first", () => {
    const issue = "Server fails on start:\n    at renderCart (/home/ci/repo/web/views.ts:1:50)\n    at startServer (/home/ci/repo/web/server.ts:2:70)\n";

    const ranked = rankFiles(index, issue);

    expect(ranked[0]?.path).toBe("web/views.ts");
    expect(ranked[1]?.path).toBe("web/server.ts");
  });

  test("named identifier finds its definition", () => {
    const ranked = rankFiles(index, "`shipping_cost` ignores the country");

    expect(ranked[0]?.path).toBe("shop/shipping.py");
    expect(ranked[0]?.signals.identifier).toBeGreaterThan(0);
  });

  test("graph lifts what a hit uses", () => {
    const ranked = rankFiles(index, "Cart.total returns the wrong sum");
    const order = ranked.map((file) => file.path);

    expect(order[0]).toBe("shop/cart.py");
    expect(order.indexOf("shop/pricing.py")).toBeLessThan(order.indexOf("shop/inventory.py"));
    expect(ranked.find((file) => file.path === "shop/pricing.py")?.signals.graph).toBeGreaterThan(0);
  });

  test("tests travel with their subject", () => {
    const ranked = rankFiles(index, "Cart.total returns the wrong sum");

    expect(ranked[0]?.tests).toEqual(["tests/test_cart.py"]);
    expect(ranked.some((file) => file.path === "tests/test_cart.py")).toBe(false);
  });

  test("mentioned path ranks first", () => {
    const ranked = rankFiles(index, "The README.md and shop/inventory.py disagree about reservations.");

    expect(ranked.slice(0, 2).map((file) => file.path).sort()).toEqual(["README.md", "shop/inventory.py"]);
  });

  test("empty query ranks every file", () => {
    const ranked = rankFiles(index, "");

    expect(ranked).toHaveLength(index.files.length - 1);
    expect(ranked[0]?.signals.graph).toBeGreaterThan(0);
  });

  test("same input same order", () => {
    const query = "discounts are applied twice in pricing";

    expect(rankFiles(index, query)).toEqual(rankFiles(index, query));
  });
});

describe("query analysis", () => {
  test("stack frames in each runtime's format", () => {
    const cases: Array<[string, string[]]> = [
      ['Traceback (most recent call last):\n  File "a/outer.py", line 1, in f\n  File "a/inner.py", line 9, in g\n', ["a/inner.py", "a/outer.py"]],
      ["Error: boom\n    at g (/app/src/inner.js:3:9)\n    at f (file:///app/src/outer.js:1:1)\n", ["/app/src/inner.js", "/app/src/outer.js"]],
      ["java.lang.NullPointerException\n\tat com.acme.shop.Cart.total(Cart.java:42)\n", ["com/acme/shop/Cart.java"]],
      ["panic: index out of range\n\ngoroutine 1 [running]:\nmain.run()\n\t/home/u/proj/cmd/run.go:27 +0x1d\n", ["/home/u/proj/cmd/run.go"]],
      ["thread 'main' panicked at src/parser.rs:88:14:\nattempt to subtract with overflow\n", ["src/parser.rs"]],
      ["app/models/user.rb:12:in `save': undefined method\n", ["app/models/user.rb"]],
      ["PHP Fatal error: Uncaught Error in /var/www/src/Cart.php:17\n#0 /var/www/src/Shop.php(30): Cart->add()\n", ["/var/www/src/Cart.php", "/var/www/src/Shop.php"]],
      ["src\\win\\path.c:10: error: expected ';'\n", ["src/win/path.c"]],
    ];
    for (const [text, expected] of cases) {
      expect(
        analyzeQuery(text).locations.map((location) => location.path),
        text,
      ).toEqual(expected);
    }
  });

  test("code identifiers and words", () => {
    const signals = analyzeQuery("Calling `loadConfig` after parse_args() breaks Settings.reload and the cache");

    expect(signals.codeIdentifiers).toEqual(expect.arrayContaining(["loadConfig", "parse_args", "Settings", "reload"]));
    expect(signals.words).toEqual(expect.arrayContaining(["Calling", "after", "breaks", "cache"]));
    expect(signals.words).not.toContain("loadConfig");
  });
});
