import { createRandom } from "../../../src/eval/hashhop/random.js";
import type { RecordedChatRequest } from "../../helpers/model-server.js";

const PAIR = /^([A-Za-z]+) = ('?)([A-Za-z]+)\2$/;
const QUERY = /^([A-Za-z]+) = '$/;

interface ParsedPrompt {
  next: Map<string, string>;
  hops: number;
  variant: "cot" | "skip";
  starts: string[];
}

/** Joins the text of a request's messages of one role, whether each content is a string or a list of parts. */
export function messageText(request: RecordedChatRequest, role: string): string {
  return request.messages
    .filter((message) => message.role === role)
    .map((message) => (typeof message.content === "string" ? message.content : (message.content as Array<{ text?: string }>).map((part) => part.text ?? "").join("")))
    .join("\n");
}

/** Reads the pairs, the stated hops and variant, and the query lines from a HashHop prompt. */
export function parseHashHopPrompt(user: string): ParsedPrompt {
  const next = new Map<string, string>();
  const starts: string[] = [];
  for (const line of user.split("\n")) {
    const pair = PAIR.exec(line);
    if (pair) next.set(pair[1] as string, pair[3] as string);
    const query = QUERY.exec(line);
    if (query) starts.push(query[1] as string);
  }
  const hops = /follow (\d+) hops?\b/.exec(user);
  const variant = /Variant: (chain of thought|skip)\b/.exec(user);
  if (!hops || !variant) throw new Error("the prompt does not state its hops and variant");
  return { next, hops: Number(hops[1]), variant: variant[1] === "skip" ? "skip" : "cot", starts };
}

/** Completes each query like a perfect retriever, by following its chain through the pairs it was sent. */
export function lookUpChains(request: RecordedChatRequest): string {
  const prompt = parseHashHopPrompt(messageText(request, "user"));
  return prompt.starts
    .map((start) => {
      const path: string[] = [];
      let current = start;
      for (let hop = 0; hop < prompt.hops; hop++) {
        current = prompt.next.get(current) ?? "missing";
        path.push(current);
      }
      return `${start} = '${prompt.variant === "cot" ? path.join(" = ") : path[path.length - 1]}'`;
    })
    .join("\n");
}

/** Creates a guesser that completes each query with hashes drawn at random, by a seeded generator, from the pairs it was sent. */
export function guessRandomly(seed: string): (request: RecordedChatRequest) => string {
  const random = createRandom(seed);
  return (request) => {
    const prompt = parseHashHopPrompt(messageText(request, "user"));
    const hashes = [...prompt.next.values()];
    const pick = (): string => hashes[random.integer(hashes.length)] as string;
    return prompt.starts
      .map((start) => {
        const path = Array.from({ length: prompt.variant === "cot" ? prompt.hops : 1 }, pick);
        return `${start} = '${path.join(" = ")}'`;
      })
      .join("\n");
  };
}
