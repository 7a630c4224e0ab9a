import {
  buildTaskMessage,
  decodeTaskMessage,
  type TaskMessage,
} from '@celeriac/broker';
import { swapIds } from '../../../../test/utils/swap-ids';
import {
  readWireFixture,
  type CapturedMessage,
  type CapturedQueue,
} from '../../../../test/utils/wire-fixtures';
import type { CanvasContext } from './canvas-plan';
import { nextChainStep, planChain } from './chain';
import { planGroup } from './group';
import { immutableSignature, signature, type Signature } from './signature';

const ORIGIN = /^gen\d+@\S+$/;

const chainCapture =
  readWireFixture<CapturedQueue>('msg-chain.json').messages[0];
const groupCaptures = readWireFixture<CapturedQueue>('msg-group.json').messages;
const continuationCapture = readWireFixture<CapturedQueue>(
  'msg-worker-published.json',
).messages[0];

/** Sequential ids and one queue for every task. */
function fakeContext(): CanvasContext {
  let next = 0;
  return {
    queueFor: () => 'q',
    newId: () => `id-${++next}`,
  };
}

/** Properties, headers and body, as a capture holds them. */
function wireView(message: TaskMessage): Record<string, unknown> {
  return {
    properties: message.properties,
    headers: message.headers,
    body: [message.args, message.kwargs, message.embed],
  };
}

function capturedView(captured: CapturedMessage): Record<string, unknown> {
  const { headers, ...properties } = captured.properties;
  return { properties, headers, body: captured.body_json };
}

function capturedHeader(captured: CapturedMessage, name: string): string {
  const value = captured.properties.headers[name];
  if (typeof value !== 'string') {
    throw new Error(`the capture has no string header ${name}`);
  }
  return value;
}

function capturedChainIds(captured: CapturedMessage): string[] {
  const chain = (captured.body_json[2].chain ?? []) as {
    options: { task_id: string };
  }[];
  return chain.map((step) => step.options.task_id);
}

function decodedChainCapture(): TaskMessage {
  const result = decodeTaskMessage(
    Buffer.from(chainCapture.body_utf8),
    chainCapture.properties,
  );
  if (!result.ok) {
    throw new Error(result.reason);
  }
  return result.message;
}

/** A first chain message as planChain writes it, for walking a chain. */
function firstMessageOf(steps: Signature[]): TaskMessage {
  return planChain(steps, fakeContext()).messages[0].message;
}

describe(planChain.name, () => {
  it('sends one message equal to what Celery sends for add_task.s(1, 2) | multi_task.s(10)', () => {
    const sut = planChain(
      [signature('add_task', [1, 2]), signature('multi_task', [10])],
      fakeContext(),
    );

    expect(sut.messages).toHaveLength(1);
    const [{ message, queue }] = sut.messages;
    expect(message.headers.origin).toMatch(ORIGIN);
    const expected = swapIds(capturedView(chainCapture), {
      [capturedHeader(chainCapture, 'id')]: 'id-1',
      [capturedChainIds(chainCapture)[0]]: 'id-2',
      [chainCapture.properties.replyTo]: message.properties.replyTo,
      [capturedHeader(chainCapture, 'origin')]: message.headers.origin,
    });
    expect(wireView(message)).toStrictEqual(expected);
    expect(queue).toBe('q');
  });

  it("reports the last step's id, the one embed.chain[0] carries", () => {
    const sut = planChain(
      [signature('add_task', [1, 2]), signature('multi_task', [10])],
      fakeContext(),
    );

    const embedded = sut.messages[0].message.embed.chain ?? [];
    expect(sut.taskId).toBe('id-2');
    expect(embedded[0].options.task_id).toBe(sut.taskId);
    expect(sut.taskIds).toEqual(['id-1', 'id-2']);
    expect(sut.groups).toEqual([]);
  });

  it('embeds the rest of a 3-step chain reversed, last step first', () => {
    const sut = planChain(
      [
        signature('add_task', [1, 2]),
        signature('multi_task', [10]),
        immutableSignature('sum_multiply_task', [3, 4], { c: 5 }),
      ],
      fakeContext(),
    );

    const { message } = sut.messages[0];
    const replyTo = message.properties.replyTo;
    expect(message.headers.id).toBe('id-1');
    expect(message.embed.chain).toStrictEqual([
      {
        task: 'sum_multiply_task',
        args: [3, 4],
        kwargs: { c: 5 },
        options: { task_id: 'id-3', reply_to: replyTo },
        subtask_type: null,
        immutable: true,
      },
      {
        task: 'multi_task',
        args: [10],
        kwargs: {},
        options: { task_id: 'id-2', reply_to: replyTo },
        subtask_type: null,
        immutable: false,
      },
    ]);
    expect(sut.taskId).toBe('id-3');
    expect(sut.taskIds).toEqual(['id-1', 'id-2', 'id-3']);
  });

  it('keeps a task id the caller chose', () => {
    const sut = planChain(
      [
        signature('add_task', [1, 2], {}, { task_id: 'mine-1' }),
        signature('multi_task', [10], {}, { task_id: 'mine-2' }),
      ],
      fakeContext(),
    );

    expect(sut.messages[0].message.headers.id).toBe('mine-1');
    expect(sut.taskIds).toEqual(['mine-1', 'mine-2']);
  });

  it('refuses an empty chain', () => {
    expect(() => planChain([], fakeContext())).toThrow(RangeError);
  });
});

describe(nextChainStep.name, () => {
  it("publishes what Celery's worker publishes after add_task(1, 2) returned 3", () => {
    const current = decodedChainCapture();

    const sut = nextChainStep(current, 3, fakeContext());

    expect(sut).not.toBeNull();
    const message = sut?.message as TaskMessage;
    expect(message.headers.origin).toMatch(ORIGIN);
    const expected = swapIds(capturedView(continuationCapture), {
      [capturedHeader(continuationCapture, 'id')]:
        capturedChainIds(chainCapture)[0],
      [capturedHeader(continuationCapture, 'root_id')]: capturedHeader(
        chainCapture,
        'id',
      ),
      [continuationCapture.properties.replyTo]: chainCapture.properties.replyTo,
      [capturedHeader(continuationCapture, 'origin')]: message.headers.origin,
    });
    expect(wireView(message)).toStrictEqual(expected);
    expect(sut?.queue).toBe('q');
  });

  it.each<[string, Signature, unknown[], string]>([
    [
      "prepends the result to a signature's args",
      signature('multi_task', [10]),
      [3, 10],
      '(3, 10)',
    ],
    [
      "leaves an immutable signature's args alone",
      immutableSignature('multi_task', [10]),
      [10],
      '(10,)',
    ],
  ])('%s', (_name, step, args, argsrepr) => {
    const current = firstMessageOf([signature('add_task', [1, 2]), step]);

    const sut = nextChainStep(current, 3, fakeContext());

    expect(sut?.message.args).toEqual(args);
    expect(sut?.message.headers.argsrepr).toBe(argsrepr);
  });

  it('walks a 3-step chain in order, then stops', () => {
    const first = firstMessageOf([
      signature('add_task', [1, 2]),
      signature('multi_task', [10]),
      signature('sum_multiply_task', [3, 4]),
    ]);

    const second = nextChainStep(first, 3, fakeContext())?.message;
    const third = second && nextChainStep(second, 30, fakeContext())?.message;

    expect(second?.headers).toMatchObject({
      task: 'multi_task',
      id: 'id-2',
      parent_id: 'id-1',
      root_id: 'id-1',
    });
    expect(second?.args).toEqual([3, 10]);
    expect(second?.embed.chain?.map((step) => step.task)).toEqual([
      'sum_multiply_task',
    ]);
    expect(third?.headers).toMatchObject({
      task: 'sum_multiply_task',
      id: 'id-3',
      parent_id: 'id-2',
      root_id: 'id-1',
    });
    expect(third?.args).toEqual([30, 3, 4]);
    expect(third?.embed.chain).toEqual([]);
    expect(third && nextChainStep(third, [90, 120], fakeContext())).toBeNull();
  });

  it.each<[string, TaskMessage['embed']['chain']]>([
    ['an exhausted chain ([])', []],
    ['no chain (null)', null],
  ])('gives null for %s', (_name, chain) => {
    const current = buildTaskMessage({
      task: 'multi_task',
      id: 'id-9',
      args: [3, 10],
      chain,
    });

    expect(nextChainStep(current, 30, fakeContext())).toBeNull();
  });

  it('sends the next step to its own queue when the signature names one', () => {
    const current = firstMessageOf([
      signature('add_task', [1, 2]),
      signature('multi_task', [10], {}, { queue: 'elsewhere' }),
    ]);

    expect(nextChainStep(current, 3, fakeContext())?.queue).toBe('elsewhere');
  });
});

describe(planGroup.name, () => {
  it('sends messages equal to what Celery sends for group(add_task.s(1, 2), multi_task.s(3, 4))', () => {
    const sut = planGroup(
      [signature('add_task', [1, 2]), signature('multi_task', [3, 4])],
      fakeContext(),
    );

    expect(sut.messages).toHaveLength(groupCaptures.length);
    const childIds = ['id-2', 'id-3'];
    sut.messages.forEach(({ message, queue }, index) => {
      const captured = groupCaptures[index];
      expect(message.headers.origin).toMatch(ORIGIN);
      const expected = swapIds(capturedView(captured), {
        [capturedHeader(captured, 'id')]: childIds[index],
        [capturedHeader(captured, 'group')]: 'id-1',
        [captured.properties.replyTo]: message.properties.replyTo,
        [capturedHeader(captured, 'origin')]: message.headers.origin,
      });
      expect(wireView(message)).toStrictEqual(expected);
      expect(queue).toBe('q');
    });
  });

  it('gives every member the group id, no group_index, and saves the group', () => {
    const sut = planGroup(
      [signature('add_task', [1, 2]), signature('multi_task', [3, 4])],
      fakeContext(),
    );

    expect(sut.groupId).toBe('id-1');
    expect(sut.messages.map(({ message }) => message.headers.group)).toEqual([
      sut.groupId,
      sut.groupId,
    ]);
    expect(
      sut.messages.map(({ message }) => message.headers.group_index),
    ).toEqual([null, null]);
    expect(sut.taskId).toBe(sut.groupId);
    expect(sut.taskIds).toEqual(['id-2', 'id-3']);
    expect(sut.groups).toEqual([
      { groupId: sut.groupId, childIds: ['id-2', 'id-3'] },
    ]);
  });

  it('refuses an empty group', () => {
    expect(() => planGroup([], fakeContext())).toThrow(RangeError);
  });
});
