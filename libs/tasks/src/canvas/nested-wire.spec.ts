import type { SignatureDict, TaskMessage } from '@celeriac/broker';
import {
  readWireFixture,
  type CapturedMessage,
} from '../../../../test/utils/wire-fixtures';
import {
  chain,
  chord,
  chunks,
  group,
  link,
  map,
  onError,
  starmap,
} from './builders';
import type { CanvasContext } from './canvas-plan';
import { signature } from './signature';
import { type CanvasNode, planWorkflow } from './workflow';

/** What python3-celery 5.2.6 published for each canvas (capture_nested.py). */
const captured = readWireFixture<{
  cases: Record<string, CapturedMessage[]>;
}>('msg-nested.json').cases;

const add = (...args: unknown[]) => signature('add_task', args);
const multi = (...args: unknown[]) => signature('multi_task', args);
const total = () => signature('sum_task');

/** The same canvases, built with celeriac's builders. */
const CANVASES: Record<string, CanvasNode> = {
  chord_header_chain: chord([chain(add(1, 2), multi(10)), add(3, 4)], total()),
  group_of_chains: group(
    chain(add(1, 2), multi(2)),
    chain(add(3, 4), multi(3)),
  ),
  chord_in_group: group(chord([add(1, 1), add(2, 2)], total()), add(5, 5)),
  group_in_chain: chain(add(1, 1), group(add(2), multi(3)), total()),
  chord_header_group: chord([group(add(1, 1), add(2, 2)), add(3, 3)], total()),
  chord_header_chord: chord(
    [chord([add(1, 1), add(2, 2)], total()), add(3, 3)],
    total(),
  ),
  starmap: starmap('add_task', [
    [1, 2],
    [3, 4],
  ]),
  map: map('sum_task', [
    [1, 2],
    [3, 4],
  ]),
  chunks: chunks(
    'add_task',
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    2,
  ),
  link: onError(link(add(1, 2), multi(10)), total()),
};

/** Option keys that shape what a worker does with a signature. */
const SHAPING_OPTIONS = [
  'group_id',
  'group_index',
  'chord',
  'chain',
  'link',
  'link_error',
];

/**
 * What must match Celery's message, ids aside: task, args, kwargs, whether
 * it is in a group and where, and the signatures it carries (kind, task,
 * args, and the options that change what a worker does).
 */
function shapeOfMessage(
  headers: Record<string, unknown>,
  body: [unknown[], Record<string, unknown>, Record<string, unknown>],
): unknown {
  const [args, kwargs, embed] = body;
  return {
    task: headers.task,
    args,
    kwargs: shapeOfValue(kwargs),
    inGroup: typeof headers.group === 'string',
    groupIndex: headers.group_index ?? null,
    embed: shapeOfValue(embed),
  };
}

function shapeOfValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(shapeOfValue);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.task === 'string' && 'options' in record) {
    const dict = record as unknown as SignatureDict;
    const options = dict.options ?? {};
    return {
      task: dict.task,
      args: dict.args,
      kwargs: shapeOfValue(dict.kwargs),
      subtask_type: dict.subtask_type ?? null,
      immutable: dict.immutable ?? false,
      options: Object.fromEntries(
        SHAPING_OPTIONS.filter(
          (key) => options[key] !== undefined && options[key] !== null,
        )
          .sort()
          .map((key) => [
            key,
            key === 'group_id' ? 'a group id' : shapeOfValue(options[key]),
          ]),
      ),
    };
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, item]) => [key, shapeOfValue(item)]),
  );
}

function celeriacShapes(node: CanvasNode): unknown[] {
  let next = 0;
  const context: CanvasContext = {
    queueFor: () => 'celery',
    newId: () => `id-${++next}`,
  };
  return planWorkflow(node, context).messages.map(
    ({ message }: { message: TaskMessage }) =>
      shapeOfMessage(message.headers as unknown as Record<string, unknown>, [
        message.args,
        message.kwargs,
        message.embed as unknown as Record<string, unknown>,
      ]),
  );
}

function celeryShapes(messages: CapturedMessage[]): unknown[] {
  return messages.map((message) =>
    shapeOfMessage(message.properties.headers, message.body_json),
  );
}

describe('nested canvases: the messages python3-celery 5.2.6 publishes', () => {
  it.each(Object.keys(CANVASES))(
    '%s: celeriac publishes the same shapes',
    (name) => {
      expect(captured[name]).toBeDefined();
      expect(celeriacShapes(CANVASES[name])).toEqual(
        celeryShapes(captured[name]),
      );
    },
  );
});
