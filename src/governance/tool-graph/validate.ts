import type { ToolGraphJson } from './schema.ts';

/** Structural checks zod cannot express. Errors make the graph unusable; warnings are recorded but allowed. */
export function validateGraph(
  graph: ToolGraphJson,
  toolNames: ReadonlySet<string>,
): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const unknown = (list: string[], where: string): void => {
    for (const tool of list) if (!toolNames.has(tool)) errors.push(`${where}: unknown tool '${tool}'`);
    const duplicates = list.filter((tool, i) => list.indexOf(tool) !== i);
    for (const tool of new Set(duplicates)) errors.push(`${where}: tool '${tool}' is listed twice`);
  };
  unknown(graph.entry, 'entry');
  graph.edges.forEach((edge, i) => {
    const where = `edges[${i}] (${edge.type} from ${edge.from.join(', ')})`;
    unknown(edge.from, `${where} from`);
    unknown(edge.to, `${where} to`);
    if (edge.type === 'exclusive') {
      const labels = edge.labels ?? {};
      for (const tool of edge.to) if (!labels[tool]) errors.push(`${where}: exclusive branch '${tool}' has no label`);
      for (const tool of Object.keys(labels)) {
        if (!edge.to.includes(tool)) errors.push(`${where}: label for '${tool}', which is not a branch of this edge`);
      }
    }
  });
  const cycle = findCycle(graph);
  if (cycle) errors.push(`cycle: ${cycle.join(' -> ')}`);
  const reachable = reachableTools(graph);
  for (const tool of toolNames) {
    if (!reachable.has(tool)) warnings.push(`tool '${tool}' can never become available in this graph`);
  }
  return { errors, warnings };
}

function findCycle(graph: ToolGraphJson): string[] | undefined {
  const next = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
    for (const from of edge.from) {
      const targets = next.get(from) ?? new Set<string>();
      for (const to of edge.to) targets.add(to);
      next.set(from, targets);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (tool: string): string[] | undefined => {
    if (state.get(tool) === 'done') return undefined;
    if (state.get(tool) === 'visiting') return [...stack.slice(stack.indexOf(tool)), tool];
    state.set(tool, 'visiting');
    stack.push(tool);
    for (const target of next.get(tool) ?? []) {
      const found = visit(target);
      if (found) return found;
    }
    stack.pop();
    state.set(tool, 'done');
    return undefined;
  };
  for (const tool of next.keys()) {
    const found = visit(tool);
    if (found) return found;
  }
  return undefined;
}

/** Fixpoint over the edges from the entry tools (joins need every `from` tool reachable). */
export function reachableTools(graph: ToolGraphJson): Set<string> {
  const reachable = new Set(graph.entry);
  let changed = true;
  while (changed) {
    changed = false;
    for (const edge of graph.edges) {
      const open =
        edge.type === 'join' ? edge.from.every((t) => reachable.has(t)) : edge.from.some((t) => reachable.has(t));
      if (!open) continue;
      for (const tool of edge.to) {
        if (!reachable.has(tool)) {
          reachable.add(tool);
          changed = true;
        }
      }
    }
  }
  return reachable;
}
