import type { CanvasOutline } from '@celeriac/broker';
import type {
  WorkflowEdge,
  WorkflowEdgeKind,
  WorkflowNode,
} from '../contract/workflow';

/** A group while it is assembled: members' first tasks, in order. */
export interface GroupDraft {
  id: string;
  size: number | null;
  members: Set<string>;
  chordBody: string | null;
}

/** Where a placed outline starts (its entry tasks) and ends (its exits). */
interface Placed {
  entries: string[];
  exits: string[];
}

/**
 * The workflow's graph while it is assembled: nodes in the order they are
 * first named, edges without duplicates. Outlines are placed into it: a
 * chain links its steps, a group fans out, a chord joins into its body.
 */
export class WorkflowGraph {
  readonly nodes = new Map<string, WorkflowNode>();
  readonly edges = new Map<string, WorkflowEdge>();
  readonly groups = new Map<string, GroupDraft>();
  private readonly incoming = new Set<string>();

  node(id: string, plannedName: string | null = null): WorkflowNode {
    let node = this.nodes.get(id);
    if (!node) {
      node = {
        id,
        kind: 'task',
        name: plannedName,
        state: 'PENDING',
        runtime: null,
        worker: null,
        groupId: null,
        seen: false,
      };
      this.nodes.set(id, node);
    }
    node.name ??= plannedName;
    return node;
  }

  group(id: string, size: number | null): GroupDraft {
    let group = this.groups.get(id);
    if (!group) {
      group = { id, size, members: new Set(), chordBody: null };
      this.groups.set(id, group);
    }
    if (size !== null) {
      group.size = Math.max(group.size ?? 0, size);
    }
    return group;
  }

  /** Marks a task a member of a group (its first entry for the fan-out). */
  join(group: GroupDraft, id: string): void {
    group.members.add(id);
    this.node(id).groupId ??= group.id;
  }

  /**
   * Adds an edge; a planned kind replaces a `parent` edge between the same
   * tasks, since the plan says more.
   */
  edge(from: string, to: string, kind: WorkflowEdgeKind): void {
    if (from === to) {
      return;
    }
    const key = `${from}>${to}`;
    const known = this.edges.get(key);
    if (!known || known.kind === 'parent') {
      this.edges.set(key, { from, to, kind });
      this.incoming.add(to);
    }
  }

  hasIncoming(id: string): boolean {
    return this.incoming.has(id);
  }

  connect(froms: string[], tos: string[], kind: WorkflowEdgeKind): void {
    for (const from of froms) {
      for (const to of tos) {
        this.edge(from, to, kind);
      }
    }
  }

  /**
   * Places a task's plan after it: its next chain steps, the chord body
   * its group joins, its callbacks and errbacks.
   */
  placeAfter(
    id: string,
    plan: {
      chain?: CanvasOutline[];
      chord?: CanvasOutline;
      link?: CanvasOutline[];
      link_error?: CanvasOutline[];
    },
    group: GroupDraft | null,
  ): void {
    let previous = [id];
    for (const step of plan.chain ?? []) {
      const placed = this.place(step, null);
      this.connect(previous, placed.entries, fanOutKind(step));
      previous = placed.exits;
    }
    if (plan.chord) {
      const body = this.place(plan.chord, null);
      this.connect([id], body.entries, 'chord');
      if (group && body.entries[0]) {
        group.chordBody ??= body.entries[0];
      }
    }
    for (const callback of plan.link ?? []) {
      this.connect([id], this.place(callback, null).entries, 'link');
    }
    for (const errback of plan.link_error ?? []) {
      this.connect([id], this.place(errback, null).entries, 'linkError');
    }
  }

  /** Places one outline; `member` is the group its entries belong to. */
  place(outline: CanvasOutline, member: GroupDraft | null): Placed {
    if ('task' in outline) {
      if (!outline.id) {
        // Not frozen: nothing to follow it by; its parent_id will show it.
        return { entries: [], exits: [] };
      }
      this.node(outline.id, outline.task);
      if (member) {
        this.join(member, outline.id);
      }
      return { entries: [outline.id], exits: [outline.id] };
    }
    if ('chain' in outline) {
      return this.placeChain(outline.chain, member);
    }
    if ('members' in outline) {
      const group = outline.group
        ? this.group(outline.group, outline.size)
        : null;
      return this.placeMembers(outline.members, group ?? member);
    }
    const header = outline.chord
      ? this.group(outline.chord, outline.size)
      : null;
    const placed = this.placeMembers(outline.header, header ?? member);
    const body = this.place(outline.body, null);
    this.connect(placed.exits, body.entries, 'chord');
    if (header && body.entries[0]) {
      header.chordBody ??= body.entries[0];
    }
    return { entries: placed.entries, exits: body.exits };
  }

  private placeChain(
    steps: CanvasOutline[],
    member: GroupDraft | null,
  ): Placed {
    let entries: string[] | null = null;
    let previous: string[] = [];
    for (const step of steps) {
      // Only the first step is the member a group fans out to.
      const placed = this.place(step, entries === null ? member : null);
      if (entries === null) {
        entries = placed.entries;
      } else {
        this.connect(previous, placed.entries, fanOutKind(step));
      }
      previous = placed.exits;
    }
    return { entries: entries ?? [], exits: previous };
  }

  private placeMembers(
    members: CanvasOutline[],
    group: GroupDraft | null,
  ): Placed {
    const entries: string[] = [];
    const exits: string[] = [];
    for (const member of members) {
      const placed = this.place(member, group);
      entries.push(...placed.entries);
      exits.push(...placed.exits);
    }
    return { entries, exits };
  }
}

/** Into a group or chord header the previous step fans out; else it chains. */
function fanOutKind(step: CanvasOutline): WorkflowEdgeKind {
  if ('members' in step || 'header' in step) {
    return 'group';
  }
  if ('chain' in step && step.chain[0]) {
    return fanOutKind(step.chain[0]);
  }
  return 'chain';
}
