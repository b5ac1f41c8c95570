/** A file's definitions and references, the input of the reference graph. */
export interface GraphNode {
  definitions: readonly { name: string; kind: string }[];
  references: Readonly<Record<string, number>>;
}

/** Weighted edges from each file to the files that define what it references, as adjacency lists. */
export interface ReferenceGraph {
  size: number;
  targets: Int32Array[];
  weights: Float64Array[];
  /** Files defining each name, by node index, for names defined somewhere. */
  definers: Map<string, number[]>;
}

/** Names defined in more files than this are too generic to link files (`get`, `init`, `main`). */
const MAX_DEFINERS = 20;
const MIN_NAME_LENGTH = 3;
/** Definition kinds that do not define a name of their own: a Rust `impl` block names an existing type. */
const NON_DEFINING_KINDS = new Set(["impl"]);

/**
 * Builds the reference graph: an edge from file A to file B when A references a name that B defines.
 * Each name adds sqrt(references) / (files defining the name) to the edge's weight, so that one
 * definition used often outweighs many that are common.
 */
export function buildReferenceGraph(nodes: readonly GraphNode[]): ReferenceGraph {
  const definers = new Map<string, number[]>();
  nodes.forEach((node, index) => {
    for (const definition of node.definitions) {
      if (NON_DEFINING_KINDS.has(definition.kind) || definition.name.length < MIN_NAME_LENGTH) continue;
      const list = definers.get(definition.name);
      if (!list) definers.set(definition.name, [index]);
      else if (list.at(-1) !== index) list.push(index);
    }
  });

  const targets: Int32Array[] = [];
  const weights: Float64Array[] = [];
  nodes.forEach((node, index) => {
    const edges = new Map<number, number>();
    for (const name in node.references) {
      const definingFiles = definers.get(name);
      if (!definingFiles || definingFiles.length > MAX_DEFINERS) continue;
      const weight = Math.sqrt(node.references[name] ?? 0) / definingFiles.length;
      for (const target of definingFiles) {
        if (target !== index) edges.set(target, (edges.get(target) ?? 0) + weight);
      }
    }
    const sorted = [...edges.entries()].sort((left, right) => left[0] - right[0]);
    targets.push(Int32Array.from(sorted, ([target]) => target));
    weights.push(Float64Array.from(sorted, ([, weight]) => weight));
  });
  return { size: nodes.length, targets, weights, definers };
}

/**
 * Runs personalised PageRank by power iteration: a random walk that follows edges with probability
 * `damping` and otherwise restarts at a file drawn from `personalization` (uniform when it is all zero).
 * Walks from files without edges restart as well. Returns scores that sum to 1.
 */
export function personalizedPageRank(graph: ReferenceGraph, personalization: Float64Array, damping = 0.85, iterations = 30): Float64Array {
  const size = graph.size;
  const restart = normalized(personalization, size);
  const outWeight = graph.weights.map((row) => row.reduce((sum, weight) => sum + weight, 0));
  let rank = Float64Array.from(restart);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = new Float64Array(size);
    let danglingMass = 0;
    for (let source = 0; source < size; source++) {
      const mass = rank[source] ?? 0;
      const total = outWeight[source] ?? 0;
      if (total === 0) {
        danglingMass += mass;
        continue;
      }
      const targets = graph.targets[source] as Int32Array;
      const weights = graph.weights[source] as Float64Array;
      for (let edge = 0; edge < targets.length; edge++) {
        const target = targets[edge] as number;
        next[target] = (next[target] ?? 0) + (damping * mass * (weights[edge] as number)) / total;
      }
    }
    const restartMass = 1 - damping + damping * danglingMass;
    for (let node = 0; node < size; node++) next[node] = (next[node] ?? 0) + restartMass * (restart[node] ?? 0);
    rank = next;
  }
  return rank;
}

function normalized(values: Float64Array, size: number): Float64Array {
  const total = values.reduce((sum, value) => sum + value, 0);
  if (total <= 0) return new Float64Array(size).fill(size > 0 ? 1 / size : 0);
  return values.map((value) => value / total);
}
