import { setTimeout as sleep } from 'node:timers/promises';
import {
  fakeDelivery,
  fakeEngine,
  type FakeEngine,
  invoker,
} from '../../../../test/fakes';

describe('TaskExecutor', () => {
  let engine: FakeEngine;

  beforeEach(() => {
    engine = fakeEngine();
    engine.register({ name: 'add_task', params: ['a', 'b'] });
  });

  afterEach(() => {
    engine.executor.onApplicationShutdown();
  });

  const add = invoker(({ args }) => (args[0] as number) + (args[1] as number));

  it('runs a task through admission, the tracer and settlement: STARTED, SUCCESS, ack', async () => {
    const delivery = fakeDelivery({ args: [1, 2] });
    const { id } = delivery.message.headers;
    await engine.executor.dispatch(delivery, add);
    expect(engine.results.statesOf(id)).toEqual(['STARTED', 'SUCCESS']);
    expect(engine.results.states.get(id)?.result).toBe(3);
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([
      `task-received:${id}`,
      `task-started:${id}`,
      `task-succeeded:${id}`,
    ]);
    // Forgotten once done: the remote control no longer lists it.
    expect(engine.requests.find([id])).toEqual([]);
  });

  it('lists a running task as active for the remote control', async () => {
    const delivery = fakeDelivery({ args: [1, 2] });
    const { id } = delivery.message.headers;
    let stages: string[] = [];
    await engine.executor.dispatch(
      delivery,
      invoker(() => {
        stages = engine.requests.find([id]).map(({ stage }) => stage);
      }),
    );
    expect(stages).toEqual(['active']);
  });

  it('acks before running a task declared acks_late=False', async () => {
    engine = fakeEngine();
    engine.register({ name: 'add_task', params: ['a', 'b'], acksLate: false });
    const delivery = fakeDelivery({ args: [1, 2] });
    let ackedBeforeRun = false;
    await engine.executor.dispatch(
      delivery,
      invoker(() => {
        ackedBeforeRun = delivery.acknowledged;
      }),
    );
    expect(ackedBeforeRun).toBe(true);
    expect(delivery.acks).toBe(1);
  });

  it('dead-letters a task no handler is registered for', async () => {
    const delivery = fakeDelivery({ task: 'unknown_task' });
    await engine.executor.dispatch(delivery, undefined);
    expect(
      engine.results.states.get(delivery.message.headers.id)?.result,
    ).toEqual({
      exc_type: 'NotRegistered',
      exc_message: ['unknown_task'],
      exc_module: 'celery.exceptions',
    });
    expect(engine.broker.deadLetters).toHaveLength(1);
    expect(delivery.settlement).toBe('ack');
  });

  it('dead-letters a task whose arguments do not bind, without running it', async () => {
    const delivery = fakeDelivery({ args: [1, 2, 3] });
    let ran = false;
    await engine.executor.dispatch(
      delivery,
      invoker(() => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(
      engine.results.states.get(delivery.message.headers.id)?.result,
    ).toMatchObject({ exc_type: 'TypeError' });
    expect(engine.broker.deadLetters).toHaveLength(1);
  });

  it('stores REVOKED for a revoked task and never runs it', async () => {
    const delivery = fakeDelivery({ args: [1, 2] });
    const { id } = delivery.message.headers;
    engine.revocations.revoke([id], false);
    let ran = false;
    await engine.executor.dispatch(
      delivery,
      invoker(() => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(engine.results.statesOf(id)).toEqual(['REVOKED']);
    expect(delivery.settlement).toBe('ack');
  });

  it('stores REVOKED (expired) for a task past its expires', async () => {
    const delivery = fakeDelivery({
      args: [1, 2],
      expires: new Date(Date.now() - 1000).toISOString(),
    });
    await engine.executor.dispatch(delivery, add);
    expect(
      engine.results.states.get(delivery.message.headers.id)?.result,
    ).toMatchObject({ exc_type: 'TaskRevokedError', exc_message: ['expired'] });
  });

  it('gives a task back to its queue when its outcome cannot be written', async () => {
    engine.results.failWith = new Error('Redis down');
    const delivery = fakeDelivery({ args: [1, 2] });
    await engine.executor.dispatch(delivery, add);
    expect(delivery.settlement).toBe('requeue');
  });

  it('aborts the signal of a running task at shutdown; the task may still finish', async () => {
    const delivery = fakeDelivery({ args: [1, 2] });
    const dispatched = engine.executor.dispatch(
      delivery,
      invoker(async ({ request }) => {
        await new Promise((resolve) =>
          request.signal.addEventListener('abort', resolve),
        );
        return 'cleaned up';
      }),
    );
    await sleep(10);
    engine.executor.onApplicationShutdown();
    await dispatched;
    expect(engine.results.states.get(delivery.message.headers.id)?.result).toBe(
      'cleaned up',
    );
  });
});
