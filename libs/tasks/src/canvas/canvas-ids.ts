import type { CanvasNode } from './workflow';

/** Every group (and chord header) id of a frozen node, outermost first. */
export function groupIdsOf(node: CanvasNode): string[] {
  switch (node.kind) {
    case 'task':
      return [];
    case 'chain':
      return node.steps.flatMap(groupIdsOf);
    case 'group':
      return [
        ...(node.groupId ? [node.groupId] : []),
        ...node.members.flatMap(groupIdsOf),
      ];
    case 'chord':
      return [
        ...(node.groupId ? [node.groupId] : []),
        ...node.header.flatMap(groupIdsOf),
        ...groupIdsOf(node.body),
      ];
  }
}

/** Task ids of frozen nodes (groups count their members). */
export function idsOf(nodes: CanvasNode[]): string[] {
  return nodes.flatMap((node): string[] => {
    switch (node.kind) {
      case 'task':
        return typeof node.signature.options.task_id === 'string'
          ? [node.signature.options.task_id]
          : [];
      case 'chain':
        return idsOf(node.steps);
      case 'group':
        return idsOf(node.members);
      case 'chord':
        return [...idsOf(node.header), ...idsOf([node.body])];
    }
  });
}

/** The id whose result is the result of these steps run in order. */
export function finalIdOf(steps: CanvasNode[]): string | undefined {
  const last = steps[steps.length - 1];
  if (!last) {
    return undefined;
  }
  switch (last.kind) {
    case 'task':
      return last.signature.options.task_id;
    case 'chain':
      return finalIdOf(last.steps);
    case 'group':
      return last.groupId;
    case 'chord':
      return finalIdOf([last.body]);
  }
}
