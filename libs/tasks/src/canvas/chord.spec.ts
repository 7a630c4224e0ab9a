import {
  decodeTaskMessage,
  type SignatureDict,
  type TaskMessage,
} from '@celeriac/broker';
import { swapIds } from '../../../../test/utils/swap-ids';
import {
  readWireFixture,
  type CapturedMessage,
  type CapturedQueue,
} from '../../../../test/utils/wire-fixtures';
import type { CanvasContext } from './canvas-plan';
import { chordBodyStep, planChord } from './chord';
import { immutableSignature, signature } from './signature';

const headerCaptures =
  readWireFixture<CapturedQueue>('msg-chord.json').messages;
const bodyCapture = readWireFixture<CapturedQueue>('msg-worker-published.json')
  .messages[1];

function fakeContext(): CanvasContext {
  let next = 0;
  return { queueFor: () => 'q', newId: () => `id-${++next}` };
}

const wireView = (message: TaskMessage) => ({
  properties: message.properties,
  headers: message.headers,
  body: [message.args, message.kwargs, message.embed],
});

function capturedView(captured: CapturedMessage) {
  const { headers, ...properties } = captured.properties;
  return { properties, headers, body: captured.body_json };
}

function decoded(captured: CapturedMessage): TaskMessage {
  const result = decodeTaskMessage(
    Buffer.from(captured.body_utf8),
    captured.properties,
  );
  if (!result.ok) {
    throw new Error(result.reason);
  }
  return result.message;
}

describe(planChord.name, () => {
  const sut = () =>
    planChord(
      [signature('add_task', [1, 2]), signature('add_task', [3, 4])],
      signature('sum_task'),
      fakeContext(),
    );

  it.each([0, 1])(
    'builds header message %i as Celery does, ids aside',
    (index) => {
      const plan = sut();
      const ours = plan.messages[index].message;
      const captured = headerCaptures[index];
      const theirs = decoded(captured);
      const swapped = swapIds(capturedView(captured), {
        [theirs.headers.id]: ours.headers.id,
        [theirs.headers.group as string]: plan.groupId,
        [theirs.properties.replyTo]: ours.properties.replyTo,
        [theirs.headers.origin]: ours.headers.origin,
        [theirs.embed.chord?.options.task_id as string]: plan.taskId,
      });
      expect(wireView(ours)).toEqual(swapped);
    },
  );

  it('stores the size, and reports the body id as the chord id', () => {
    const plan = sut();
    expect(plan.chords).toEqual([{ groupId: plan.groupId, size: 2 }]);
    expect(plan.taskId).toBe(
      plan.messages[0].message.embed.chord?.options.task_id,
    );
    expect(plan.taskIds).toEqual([
      plan.messages[0].message.headers.id,
      plan.messages[1].message.headers.id,
      plan.taskId,
    ]);
    expect(plan.groups).toEqual([]);
  });

  it('sends the body at once with [] when the header is empty', () => {
    const plan = planChord([], signature('sum_task', [10]), fakeContext());
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0].message.headers.task).toBe('sum_task');
    expect(plan.messages[0].message.args).toEqual([[], 10]);
    expect(plan.chords).toEqual([]);
  });
});

describe(chordBodyStep.name, () => {
  it('builds the body as a Celery worker publishes it, ids aside', () => {
    const lastPart = decoded(headerCaptures[1]);
    const captured = decoded(bodyCapture);
    const body: SignatureDict = {
      ...(lastPart.embed.chord as SignatureDict),
      options: {
        task_id: captured.headers.id,
        reply_to: captured.properties.replyTo,
      },
    };
    const step = chordBodyStep(lastPart, body, [3, 7], fakeContext());
    const swapped = swapIds(capturedView(bodyCapture), {
      [captured.headers.parent_id as string]: lastPart.headers.id,
      [captured.headers.root_id]: lastPart.headers.root_id,
      [captured.headers.origin]: step.message.headers.origin,
    });
    expect(wireView(step.message)).toEqual(swapped);
    expect(step.queue).toBe('q');
  });

  it('keeps an immutable body args as they are', () => {
    const lastPart = decoded(headerCaptures[1]);
    const step = chordBodyStep(
      lastPart,
      immutableSignature('notify', ['done']).toDict(),
      [3, 7],
      fakeContext(),
    );
    expect(step.message.args).toEqual(['done']);
  });
});
