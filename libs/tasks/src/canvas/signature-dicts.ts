import type { SignatureDict } from '@celeriac/broker';
import { Signature } from './signature';
import type { CanvasNode } from './workflow';

/** The dict Celery puts in `embed.chain` / `embed.chord` for a node. */
export function toSignatureDict(node: CanvasNode): SignatureDict {
  switch (node.kind) {
    case 'task':
      return node.signature.toDict();
    case 'chain':
      return compound('celery.chain', 'chain', {
        tasks: node.steps.map(toSignatureDict),
      });
    case 'group':
      return compound(
        'celery.group',
        'group',
        { tasks: node.members.map(toSignatureDict) },
        node.groupId,
      );
    case 'chord': {
      // Celery freezes the header with the body: each task knows its chord
      // and its index, and so does the header group.
      const body = toSignatureDict(node.body);
      const header = toSignatureDict({
        kind: 'group',
        members: node.header.map((member, index) =>
          member.kind === 'task'
            ? {
                kind: 'task',
                signature: member.signature.withOptions({
                  chord: body,
                  group_index: index,
                }),
              }
            : member,
        ),
        groupId: node.groupId,
      });
      return compound(
        'celery.chord',
        'chord',
        {
          header: { ...header, options: { ...header.options, chord: body } },
          body,
          kwargs: {},
        },
        node.groupId,
      );
    }
  }
}

/**
 * Reads a signature dict of any `subtask_type` back into a node. A chain,
 * group or chord with steps in `options.chain` (Celery's
 * `_prepare_chain_from_options`) becomes a chain that runs them after it;
 * a task keeps them in its options, for its message's `embed.chain`.
 */
export function fromSignatureDict(dict: SignatureDict): CanvasNode {
  const node = nodeOfDict(dict);
  const after = dict.options?.chain;
  if (node.kind === 'task' || !Array.isArray(after) || after.length === 0) {
    return node;
  }
  return {
    kind: 'chain',
    steps: [
      node,
      ...(after as SignatureDict[]).slice().reverse().map(fromSignatureDict),
    ],
  };
}

function nodeOfDict(dict: SignatureDict): CanvasNode {
  const kwargs = dict.kwargs ?? {};
  const taskId =
    typeof dict.options?.task_id === 'string'
      ? dict.options.task_id
      : undefined;
  switch (dict.subtask_type) {
    case 'chain':
      return {
        kind: 'chain',
        steps: dictList(kwargs.tasks).map(fromSignatureDict),
      };
    case 'group':
      return {
        kind: 'group',
        members: dictList(kwargs.tasks).map(fromSignatureDict),
        groupId: taskId,
      };
    case 'chord': {
      const header = fromSignatureDict(kwargs.header as SignatureDict);
      return {
        kind: 'chord',
        header: header.kind === 'group' ? header.members : [header],
        body: fromSignatureDict(kwargs.body as SignatureDict),
        groupId: header.kind === 'group' ? header.groupId : taskId,
      };
    }
    case null:
    default:
      // A plain task, or a subtask type celeriac does not plan (chunks,
      // xmap): sent as the task it names.
      return { kind: 'task', signature: Signature.fromDict(dict) };
  }
}

function compound(
  task: string,
  subtaskType: string,
  kwargs: Record<string, unknown>,
  taskId?: string,
): SignatureDict {
  return {
    task,
    args: [],
    kwargs,
    options: taskId === undefined ? {} : { task_id: taskId },
    subtask_type: subtaskType,
    immutable: false,
  };
}

function dictList(value: unknown): SignatureDict[] {
  return Array.isArray(value) ? (value as SignatureDict[]) : [];
}
