import { XMLParser, XMLValidator } from "fast-xml-parser";
import { summarizeMessage } from "./output-text.js";
import { type FailedTest, mergeReports, type TestReport } from "./test-report.js";

/** Largest JUnit file read; a test suite cannot make the app parse gigabytes of XML. */
export const MAX_JUNIT_BYTES = 20 * 1024 * 1024;

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ["testsuite", "testcase", "failure", "error", "skipped"].includes(name),
});

/**
 * Parses one JUnit XML document as written by Surefire, Gradle, pytest, jest-junit, Vitest, Mocha's
 * xunit reporter and Node's junit reporter. Counts come from the test cases, not the suite attributes,
 * which some writers fill differently. Returns undefined for a document that is not well-formed JUnit
 * XML, such as a file cut short when the runner was killed at the timeout.
 */
export function parseJUnitXml(xml: string): TestReport | undefined {
  if (XMLValidator.validate(xml) !== true) return undefined;
  let document: XmlNode;
  try {
    document = parser.parse(xml) as XmlNode;
  } catch {
    return undefined;
  }
  const root = (document.testsuites ?? document) as XmlNode;
  if (!("testsuite" in root) && !("testcase" in root)) return undefined;

  const testCases = collectTestCases(root);
  const report: TestReport = { source: "junit", passed: 0, failed: 0, skipped: 0, failures: [], passedTests: [] };
  for (const testCase of testCases) {
    const problem = firstOf(testCase, "failure") ?? firstOf(testCase, "error");
    if (problem !== undefined) {
      report.failed = (report.failed ?? 0) + 1;
      report.failures.push({ name: testName(testCase), message: problemMessage(problem) });
    } else if (firstOf(testCase, "skipped") !== undefined) {
      report.skipped = (report.skipped ?? 0) + 1;
    } else {
      report.passed = (report.passed ?? 0) + 1;
      report.passedTests?.push(testName(testCase));
    }
  }
  return report;
}

/** Parses several JUnit documents of one run into one report; documents that fail to parse are skipped. */
export function parseJUnitDocuments(documents: string[]): TestReport | undefined {
  const reports = documents.map(parseJUnitXml).filter((report): report is TestReport => report !== undefined);
  return reports.length > 0 ? mergeReports("junit", reports) : undefined;
}

function collectTestCases(node: XmlNode): XmlNode[] {
  const cases = asNodes(node.testcase);
  for (const suite of asNodes(node.testsuite)) cases.push(...collectTestCases(suite));
  return cases;
}

function testName(testCase: XmlNode): string {
  const name = String(testCase["@name"] ?? "").trim();
  const className = String(testCase["@classname"] ?? "").trim();
  if (!className || className === name || name.startsWith(className)) return name || className || "(unnamed test)";
  return `${className} > ${name}`;
}

/** Builds the message from the `message` and `type` attributes, else from the element's text. */
function problemMessage(problem: unknown): FailedTest["message"] {
  if (typeof problem === "string") return summarizeMessage(problem);
  const node = problem as XmlNode;
  const message = String(node["@message"] ?? "").trim();
  const type = String(node["@type"] ?? "").trim();
  const text = String(node["#text"] ?? "");
  const base = message || text;
  // Only exception class names are worth a prefix; Node's reporter puts labels such as testCodeFailure here.
  const isExceptionClass = /^[\w.$]+(Error|Exception)$/.test(type);
  if (isExceptionClass && !base.includes(type)) return summarizeMessage(`${type}: ${base}`);
  return summarizeMessage(base);
}

function firstOf(node: XmlNode, key: string): unknown {
  const value = node[key];
  if (Array.isArray(value)) return value[0] ?? "";
  return value;
}

function asNodes(value: unknown): XmlNode[] {
  if (Array.isArray(value)) return value.filter((item): item is XmlNode => typeof item === "object" && item !== null);
  return [];
}
