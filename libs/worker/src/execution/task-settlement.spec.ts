import { signature, RetryRequest } from '@celeriac/tasks';
import {
  fakeDelivery,
  FakeDelayedTasks,
  fakeEngine,
  type FakeEngine,
} from '../../../../test/fakes';
import { WorkerLostError } from '../pool/pool-errors';
import type { RunPolicy } from './run-policy';
import type { Traced } from './task-tracer';

const ACKS_LATE: RunPolicy = {
  acksLate: true,
  store: true,
  trackStarted: true,
};

function success(value: unknown): Traced {
  return { outcome: { kind: 'success', value }, runtime: 0.01 };
}

function failure(error: unknown): Traced {
  return { outcome: { kind: 'failure', error }, runtime: 0.01 };
}

describe('TaskSettlement', () => {
  let engine: FakeEngine;

  beforeEach(() => {
    engine = fakeEngine();
  });

  const settle = (
    delivery: ReturnType<typeof fakeDelivery>,
    traced: Traced,
    policy: RunPolicy = ACKS_LATE,
    definition: Parameters<FakeEngine['settlement']['settle']>[1] = {
      name: delivery.message.headers.task,
      params: [],
    },
  ) => engine.settlement.settle(delivery, definition, policy, traced);

  it('stores SUCCESS with the extended fields, then acks (acks late)', async () => {
    const delivery = fakeDelivery({ args: [1, 2] });
    const { id } = delivery.message.headers;
    await settle(delivery, success(3));
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'SUCCESS',
      result: 3,
      extra: {
        name: 'add_task',
        args: [1, 2],
        worker: engine.options.hostname,
      },
    });
    expect(engine.results.replicatedConfirms).toBe(1);
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([`task-succeeded:${id}`]);
  });

  it('leaves the ack to the executor when the task acks early', async () => {
    const delivery = fakeDelivery();
    await settle(delivery, success(3), { ...ACKS_LATE, acksLate: false });
    expect(delivery.settlement).toBe('open');
  });

  it('stores nothing for ignore_result, but still acks', async () => {
    const delivery = fakeDelivery();
    await settle(delivery, success(3), { ...ACKS_LATE, store: false });
    expect(engine.results.writes).toEqual([]);
    expect(delivery.settlement).toBe('ack');
  });

  it('publishes the next chain step before SUCCESS, and names it as a child', async () => {
    const next = signature('multi_task', [10], {}, { task_id: 'next-step' });
    const delivery = fakeDelivery({ chain: [next.toDict()] });
    const { id } = delivery.message.headers;
    engine.broker.onPublish = () => {
      // The step is published while the result is not SUCCESS yet.
      expect(engine.results.stateOf(id)).toBeUndefined();
      return Promise.resolve();
    };
    await settle(delivery, success(3));
    const [step] = engine.broker.published;
    expect(step.message.headers).toMatchObject({
      id: 'next-step',
      task: 'multi_task',
      parent_id: id,
    });
    expect(step.message.args).toEqual([3, 10]);
    expect(step.queue).toBe('default-queue');
    expect(engine.results.states.get(id)?.extra.children).toEqual([
      [['next-step', null], null],
    ]);
  });

  it('publishes the chord body with every result when the last part returns', async () => {
    const body = signature('multi_task', [], {}, { task_id: 'body' });
    const delivery = fakeDelivery({
      groupId: 'the-group',
      groupIndex: 0,
      chord: body.toDict(),
    });
    await engine.chords.setSize('the-group', 1);
    await settle(delivery, success(3));
    const [published] = engine.broker.published;
    expect(published.message.headers.id).toBe('body');
    expect(published.message.args).toEqual([[3]]);
    expect(engine.chords.parts.has('the-group')).toBe(false);
  });

  it('stores FAILURE with the exception dict and fails the rest of the chain', async () => {
    const rest = signature('multi_task', [10], {}, { task_id: 'rest' });
    const delivery = fakeDelivery({ chain: [rest.toDict()] });
    const { id } = delivery.message.headers;
    await settle(delivery, failure(new TypeError('bad operand')));
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'FAILURE',
      result: { exc_type: 'TypeError', exc_message: ['bad operand'] },
    });
    expect(engine.results.states.get(id)?.extra.traceback).toContain(
      'TypeError: bad operand',
    );
    expect(engine.results.states.get('rest')).toMatchObject({
      state: 'FAILURE',
      extra: { parentId: id },
    });
    expect(engine.broker.published).toEqual([]);
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([`task-failed:${id}`]);
  });

  it('applies the errbacks of a failed task with its id', async () => {
    const errback = signature('log_error', [], {}, { task_id: 'errback' });
    const delivery = fakeDelivery({ errbacks: [errback.toDict()] });
    await settle(delivery, failure(new Error('boom')));
    expect(engine.broker.published.map(({ message }) => message.args)).toEqual([
      [delivery.message.headers.id],
    ]);
  });

  it('retries a task that asked to: the same id, one more retry, due after the countdown', async () => {
    const delivery = fakeDelivery();
    const { id } = delivery.message.headers;
    const before = Date.now();
    await settle(
      delivery,
      failure(new RetryRequest(30, new Error('try later'))),
    );
    const [retried] = engine.broker.published;
    expect(retried.message.headers).toMatchObject({ id, retries: 1 });
    const due = Date.parse(retried.message.headers.eta ?? '');
    expect(due).toBeGreaterThanOrEqual(before + 30_000);
    expect(due).toBeLessThan(Date.now() + 31_000);
    expect(retried.queue).toBe(delivery.queue);
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'RETRY',
      result: { exc_message: ['try later'] },
    });
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([`task-retried:${id}`]);
  });

  it('hands a retry due beyond BEAT_DELAY_THRESHOLD to beat, as other countdowns', async () => {
    const delayed = new FakeDelayedTasks(60);
    engine = fakeEngine({ delayed });
    const delivery = fakeDelivery();
    const { id } = delivery.message.headers;
    await settle(
      delivery,
      failure(new RetryRequest(3600, new Error('much later'))),
    );
    expect(engine.broker.published).toEqual([]);
    expect(delayed.scheduled).toHaveLength(1);
    expect(delayed.scheduled[0].message.headers).toMatchObject({
      id,
      retries: 1,
    });
    expect(delayed.scheduled[0].queue).toBe(delivery.queue);
    expect(engine.results.stateOf(id)).toBe('RETRY');
  });

  it('retries an error named in autoretryFor, and fails it once retries are spent', async () => {
    const definition = {
      name: 'add_task',
      params: [],
      autoretryFor: ['ConnectionError'],
      maxRetries: 1,
      defaultRetryDelay: 0,
    };
    const error = Object.assign(new Error('reset'), {
      name: 'ConnectionError',
    });
    const first = fakeDelivery();
    await settle(first, failure(error), ACKS_LATE, definition);
    expect(engine.broker.published).toHaveLength(1);

    const last = fakeDelivery({ retries: 1 });
    await settle(last, failure(error), ACKS_LATE, definition);
    expect(engine.broker.published).toHaveLength(1);
    expect(engine.results.stateOf(last.message.headers.id)).toBe('FAILURE');
  });

  it('fails a retry() past max_retries with MaxRetriesExceededError', async () => {
    const delivery = fakeDelivery({ retries: 3 });
    await settle(delivery, failure(new RetryRequest(undefined, undefined)));
    expect(engine.broker.published).toEqual([]);
    expect(
      engine.results.states.get(delivery.message.headers.id)?.result,
    ).toMatchObject({ exc_type: 'MaxRetriesExceededError' });
  });

  it('gives a task whose pool child died back to its queue (acks late)', async () => {
    const delivery = fakeDelivery();
    await settle(
      delivery,
      failure(new WorkerLostError({ code: null, signal: 'SIGKILL' })),
    );
    expect(delivery.settlement).toBe('requeue');
    expect(engine.results.writes).toEqual([]);
  });

  it('stores REVOKED (terminated) for a run that revoke(terminate) ended', async () => {
    const delivery = fakeDelivery();
    const { id } = delivery.message.headers;
    await settle(delivery, { outcome: { kind: 'terminated' }, runtime: 0 });
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'REVOKED',
      result: { exc_type: 'TaskRevokedError', exc_message: ['terminated'] },
    });
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([`task-revoked:${id}`]);
  });

  it('stores REVOKED and acks a task revoked or expired before it ran', async () => {
    const delivery = fakeDelivery();
    await engine.settlement.revokeUnrun(delivery, 'expired');
    expect(
      engine.results.states.get(delivery.message.headers.id)?.result,
    ).toMatchObject({ exc_message: ['expired'] });
    expect(delivery.settlement).toBe('ack');
  });

  it('awaits a STARTED write still in flight before the ack: one that failed leaves the task unacked', async () => {
    const delivery = fakeDelivery();
    const started = Promise.reject(new Error('STARTED refused'));
    started.catch(() => undefined);
    await expect(settle(delivery, { ...success(3), started })).rejects.toThrow(
      'STARTED refused',
    );
    expect(delivery.settlement).toBe('open');
  });

  it('lets a failed result write reject, so the executor requeues the task', async () => {
    engine.results.failWith = new Error('Redis down');
    const delivery = fakeDelivery();
    await expect(settle(delivery, success(3))).rejects.toThrow('Redis down');
    expect(delivery.settlement).toBe('open');
  });
});
