import { describe, expect, test } from "vitest";
import type { HashHopSample } from "../../../src/eval/hashhop/generate.js";
import { extractAnswer, scoreQuery, scoreReply } from "../../../src/eval/hashhop/score.js";

const START = "abcdEFGHijklMNOP";
const H2 = "qrstUVWXyzABcdEF";
const H3 = "GHijKLmnOPqrSTuv";
const H4 = "wxYZabCDefGHijKL";
const CHAIN = [START, H2, H3, H4];

describe("extractAnswer", () => {
  test.each([
    { case: "plain line", reply: `${START} = '${H2} = ${H3}'`, expected: `${H2} = ${H3}` },
    { case: "text around the line", reply: `Sure.\n${START} = '${H2}'\nDone.`, expected: H2 },
    { case: "code fence", reply: "```\n" + `${START} = '${H2}'` + "\n```", expected: H2 },
    { case: "no spaces", reply: `${START}='${H2}=${H3}'`, expected: `${H2}=${H3}` },
    { case: "double quotes", reply: `${START} = "${H2}"`, expected: H2 },
    { case: "missing closing quote", reply: `${START} = '${H2} = ${H3}`, expected: `${H2} = ${H3}` },
    { case: "echoed empty query first", reply: `${START} = '\n${START} = '${H2}'`, expected: H2 },
    { case: "only the echoed query", reply: `${START} = '`, expected: "" },
    { case: "bulleted line", reply: `- ${START} = '${H2}'`, expected: H2 },
  ])("reads $case", ({ reply, expected }) => {
    expect(extractAnswer(reply, START)).toBe(expected);
  });

  test.each([
    { case: "empty reply", reply: "" },
    { case: "no line for the start", reply: `${H2} = '${H3}'` },
    { case: "no quote", reply: `${START} = ${H2}` },
    { case: "start inside a longer hash", reply: `x${START} = '${H2}'` },
    { case: "start without an equals sign", reply: `${START} '${H2}'` },
    { case: "prose", reply: "I could not find that hash in the list." },
  ])("returns undefined for $case", ({ reply }) => {
    expect(extractAnswer(reply, START)).toBeUndefined();
  });
});

describe("scoreQuery", () => {
  const cotAnswer = `${H2} = ${H3} = ${H4}`;

  test("right cot answer", () => {
    expect(scoreQuery(START, cotAnswer, CHAIN, cotAnswer)).toMatchObject({ exact: true, hopShare: 1 });
  });

  test("right cot answer without spaces", () => {
    expect(scoreQuery(START, cotAnswer, CHAIN, `${H2}=${H3}=${H4}`)).toMatchObject({ exact: true, hopShare: 1 });
  });

  test("right skip answer", () => {
    expect(scoreQuery(START, H4, undefined, H4)).toMatchObject({ exact: true, hopShare: undefined });
  });

  test("wrong skip answer", () => {
    expect(scoreQuery(START, H4, undefined, H3)).toMatchObject({ exact: false, hopShare: undefined });
  });

  test("skip answer with the path is wrong", () => {
    expect(scoreQuery(START, H4, undefined, cotAnswer).exact).toBe(false);
  });

  test("wrong cot answer", () => {
    expect(scoreQuery(START, cotAnswer, CHAIN, `${H3} = ${H4} = ${H2}`)).toMatchObject({ exact: false, hopShare: 0 });
  });

  test("partial cot answer", () => {
    const score = scoreQuery(START, cotAnswer, CHAIN, `${H2} = ${H3} = wrongHashWrongHa`);

    expect(score.exact).toBe(false);
    expect(score.hopShare).toBeCloseTo(2 / 3);
  });

  test("short cot answer", () => {
    const score = scoreQuery(START, cotAnswer, CHAIN, H2);

    expect(score.exact).toBe(false);
    expect(score.hopShare).toBeCloseTo(1 / 3);
  });

  test("cot answer with an extra hop", () => {
    const score = scoreQuery(START, `${H2} = ${H3}`, CHAIN.slice(0, 3), `${H2} = ${H3} = ${H4}`);

    expect(score.exact).toBe(false);
    expect(score.hopShare).toBe(1);
  });

  test("missing answer", () => {
    expect(scoreQuery(START, cotAnswer, CHAIN, undefined)).toMatchObject({ exact: false, hopShare: 0, actual: undefined });
  });

  test("empty answer", () => {
    expect(scoreQuery(START, cotAnswer, CHAIN, "")).toMatchObject({ exact: false, hopShare: 0 });
  });
});

describe("scoreReply", () => {
  const second = ["ZZZZzzzzYYYYyyyy", "XXXXxxxxWWWWwwww", "VVVVvvvvUUUUuuuu"];
  const sample: HashHopSample = {
    prompt: "",
    hops: 2,
    variant: "cot",
    queries: [
      { start: START, answer: `${H2} = ${H3}` },
      { start: second[0] as string, answer: `${second[1]} = ${second[2]}` },
    ],
    chains: [CHAIN.slice(0, 3), second],
    promptTokens: 0,
  };

  test("scores lines in any order", () => {
    const reply = `${second[0]} = '${second[1]} = ${second[2]}'\n${START} = '${H2} = ${H3}'`;

    expect(scoreReply(sample, reply).map((score) => score.exact)).toEqual([true, true]);
  });

  test("missing line scores as wrong", () => {
    const scores = scoreReply(sample, `${START} = '${H2} = ${H3}'`);

    expect(scores.map((score) => score.exact)).toEqual([true, false]);
    expect(scores[1]?.hopShare).toBe(0);
  });

  test("malformed reply scores all wrong", () => {
    const scores = scoreReply(sample, "\u0000\u{1F600} ' = = '' \n\n=");

    expect(scores.map((score) => score.exact)).toEqual([false, false]);
  });
});
