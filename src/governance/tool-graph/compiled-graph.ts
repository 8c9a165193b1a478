import type { ToolGraphJson } from './schema.ts';

export interface ToolCallRecord {
  tool: string;
  ok: boolean;
}

export interface ToolCheck {
  allowed: boolean;
  /** Why the call is refused, written for the model. */
  reason?: string;
}

interface Unlock {
  requires: string[];
  mode: 'any' | 'all';
}

interface ExclusiveGroup {
  from: string[];
  branches: string[];
  labels: Record<string, string>;
}

export type ToolGraphMode = 'unrestricted' | 'graph' | 'closed';

/**
 * A tool flow graph compiled once: per tool, the conditions that make it available and the exclusive groups that
 * can close it. `available` and `check` only read the call history; they never re-validate the graph.
 */
export class CompiledToolGraph {
  private readonly unlocks = new Map<string, Unlock[]>();
  private readonly groups = new Map<string, ExclusiveGroup[]>();
  private readonly entry: Set<string>;

  private constructor(
    readonly mode: ToolGraphMode,
    private readonly toolNames: readonly string[],
    graph: ToolGraphJson | undefined,
    readonly warnings: readonly string[],
    /** For a closed graph: why no tool is available. */
    readonly errors: readonly string[],
  ) {
    this.entry = new Set(graph?.entry ?? []);
    for (const edge of graph?.edges ?? []) {
      const unlock: Unlock = { requires: edge.from, mode: edge.type === 'join' ? 'all' : 'any' };
      for (const tool of edge.to) this.unlocks.set(tool, [...(this.unlocks.get(tool) ?? []), unlock]);
      if (edge.type === 'exclusive') {
        const group: ExclusiveGroup = { from: edge.from, branches: edge.to, labels: edge.labels ?? {} };
        for (const tool of edge.to) this.groups.set(tool, [...(this.groups.get(tool) ?? []), group]);
      }
    }
  }

  static fromGraph(graph: ToolGraphJson, toolNames: readonly string[], warnings: readonly string[]): CompiledToolGraph {
    return new CompiledToolGraph('graph', toolNames, graph, warnings, []);
  }

  /** No graph configured: every tool is available (the agent's explicit choice). */
  static unrestricted(toolNames: readonly string[]): CompiledToolGraph {
    return new CompiledToolGraph('unrestricted', toolNames, undefined, [], []);
  }

  /** A graph that failed validation: no tool is available, and every refusal says why. */
  static closed(toolNames: readonly string[], errors: readonly string[]): CompiledToolGraph {
    return new CompiledToolGraph('closed', toolNames, undefined, [], errors);
  }

  /** Tools the model may see now, in the agent's tool order. */
  available(history: readonly ToolCallRecord[]): string[] {
    if (this.mode === 'closed') return [];
    if (this.mode === 'unrestricted') return [...this.toolNames];
    const succeeded = successes(history);
    return this.toolNames.filter((tool) => this.isAvailable(tool, succeeded));
  }

  /** Whether calling `tool` now is allowed; a refusal explains what has to happen first. */
  check(tool: string, history: readonly ToolCallRecord[]): ToolCheck {
    if (!this.toolNames.includes(tool))
      return { allowed: false, reason: `'${tool}' is not one of this agent's tools.` };
    if (this.mode === 'unrestricted') return { allowed: true };
    if (this.mode === 'closed') {
      return {
        allowed: false,
        reason: `No tools are available: the agent's tool flow graph is invalid (${this.errors.join('; ')}).`,
      };
    }
    const succeeded = successes(history);
    if (this.isAvailable(tool, succeeded)) return { allowed: true };
    return {
      allowed: false,
      reason: `${this.explain(tool, succeeded)} Available now: ${this.listAvailable(succeeded)}.`,
    };
  }

  private isAvailable(tool: string, succeeded: ReadonlySet<string>): boolean {
    if (this.closedBranch(tool, succeeded)) return false;
    if (this.entry.has(tool)) return true;
    return (this.unlocks.get(tool) ?? []).some((unlock) => satisfied(unlock, succeeded));
  }

  /** The exclusive group whose other branch has already been taken, if any. */
  private closedBranch(
    tool: string,
    succeeded: ReadonlySet<string>,
  ): { group: ExclusiveGroup; taken: string } | undefined {
    for (const group of this.groups.get(tool) ?? []) {
      const taken = group.branches.find((branch) => branch !== tool && succeeded.has(branch));
      if (taken) return { group, taken };
    }
    return undefined;
  }

  private explain(tool: string, succeeded: ReadonlySet<string>): string {
    const closed = this.closedBranch(tool, succeeded);
    if (closed) {
      return (
        `'${tool}' is not available: after ${closed.group.from.join(' or ')} only one branch may be taken, and ` +
        `'${closed.taken}' (${closed.group.labels[closed.taken] ?? ''}) was already chosen.`
      );
    }
    const unlocks = this.unlocks.get(tool) ?? [];
    if (unlocks.length === 0) return `'${tool}' is never available in this agent's tool flow graph.`;
    const options = unlocks.map((unlock) => {
      const missing = unlock.requires.filter((required) => !succeeded.has(required));
      return unlock.mode === 'all'
        ? `successful calls to all of ${unlock.requires.join(', ')} (still missing: ${missing.join(', ')})`
        : `a successful call to ${unlock.requires.join(' or ')}`;
    });
    return `'${tool}' is not available yet: it requires ${options.join(', or ')}.`;
  }

  private listAvailable(succeeded: ReadonlySet<string>): string {
    const now = this.toolNames.filter((tool) => this.isAvailable(tool, succeeded));
    return now.length > 0 ? now.join(', ') : 'none';
  }
}

function successes(history: readonly ToolCallRecord[]): Set<string> {
  // Only explicit successes count; anything malformed in the history unlocks nothing.
  return new Set(history.filter((call) => call?.ok === true && typeof call.tool === 'string').map((call) => call.tool));
}

function satisfied(unlock: Unlock, succeeded: ReadonlySet<string>): boolean {
  return unlock.mode === 'all'
    ? unlock.requires.every((t) => succeeded.has(t))
    : unlock.requires.some((t) => succeeded.has(t));
}
