// Cycles in the library dependency graph (libs/a imports libs/b imports … libs/a), from every import of every file of
// a library, its tests included: a test that needs a library which needs this one is the same knot.
import type { ImportEdge, ImportGraph } from './import-graph';
import type { Violation } from './import-rules';

/** lib → (lib it imports → the first import that says so). */
function libraryEdges(graph: ImportGraph): Map<string, Map<string, ImportEdge>> {
  const libOf = new Map(graph.files.filter((f) => f.package.kind === 'lib').map((f) => [f.path, f.package.name]));
  const edges = new Map<string, Map<string, ImportEdge>>();
  for (const edge of graph.imports) {
    const from = libOf.get(edge.from);
    const to = edge.target.kind === 'repo' && edge.target.package?.kind === 'lib' ? edge.target.package.name : undefined;
    if (from === undefined || to === undefined || from === to) continue;
    const out = edges.get(from) ?? new Map<string, ImportEdge>();
    if (!out.has(to)) out.set(to, edge);
    edges.set(from, out);
  }
  return edges;
}

/** Strongly connected components (Tarjan), each as its libraries. */
function components(nodes: string[], edges: Map<string, Map<string, ImportEdge>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      found.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

/** A shortest cycle through `start` inside `members` (breadth-first), as the libraries in order, start first. */
function cycleThrough(start: string, members: Set<string>, edges: Map<string, Map<string, ImportEdge>>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** One violation for each knot of libraries that import each other, naming the cycle and the import behind each step. */
export function libraryCycles(graph: ImportGraph): Violation[] {
  const edges = libraryEdges(graph);
  const nodes = [...new Set(graph.files.filter((f) => f.package.kind === 'lib').map((f) => f.package.name))].sort();
  return components(nodes, edges)
    .filter((component) => component.length > 1)
    .map((component) => {
      const cycle = cycleThrough([...component].sort()[0], new Set(component), edges);
      const steps = cycle.map((lib, i) => edges.get(lib)!.get(cycle[(i + 1) % cycle.length])!);
      const path = [...cycle, cycle[0]].map((lib) => `libs/${lib}`).join(' → ');
      const because = steps.map((e) => `${e.from}:${e.line} '${e.specifier}'`).join(', ');
      return { rule: 'no-library-cycle' as const, file: steps[0].from, line: steps[0].line, specifier: steps[0].specifier, detail: `${path}; ${because}` };
    });
}
