import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskMessage } from '@celeriac/broker';
import { TimeLimitExceeded, type TaskCall } from '@celeriac/tasks';
import {
  fakeDelivery,
  fakeEngine,
  type FakeEngine,
  invoker,
} from '../../../../test/fakes';
import type { TaskRunner } from '../pool/task-runner';
import type { RunPolicy } from './run-policy';
import type { RunSignal } from './time-limits';

const POLICY: RunPolicy = { acksLate: true, store: true, trackStarted: true };

/** A pool that runs each call on this loop and remembers what it abandoned. */
class RecordingRunner implements TaskRunner {
  readonly abandoned: string[] = [];
  readonly ran: string[] = [];

  constructor(private readonly handler: (call: TaskCall) => Promise<unknown>) {}

  run(
    call: TaskCall,
    message: TaskMessage,
    _queue: string,
    _signal: RunSignal,
  ) {
    this.ran.push(message.headers.id);
    return this.handler(call);
  }

  abandon(taskId: string): void {
    this.abandoned.push(taskId);
  }

  info(): Record<string, unknown> {
    return {};
  }
}

describe('TaskTracer', () => {
  let engine: FakeEngine;

  beforeEach(() => {
    engine = fakeEngine();
  });

  const trace = (
    delivery: ReturnType<typeof fakeDelivery>,
    handler: (call: TaskCall) => unknown,
    policy: RunPolicy = POLICY,
    definition = { name: 'add_task', params: ['a', 'b'] },
  ) =>
    engine.tracer.trace(
      delivery,
      definition,
      { args: delivery.message.args, kwargs: delivery.message.kwargs },
      invoker(handler),
      policy,
    );

  it('writes STARTED, runs the handler with its arguments and request, and reports success', async () => {
    const delivery = fakeDelivery({ args: [2, 3] });
    const { id } = delivery.message.headers;
    const traced = await trace(delivery, ({ args, request }) => {
      expect(request.id).toBe(id);
      expect(request.hostname).toBe(engine.options.hostname);
      return (args[0] as number) + (args[1] as number);
    });
    expect(traced.outcome).toEqual({ kind: 'success', value: 5 });
    expect(traced.runtime).toBeGreaterThanOrEqual(0);
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'STARTED',
      result: { pid: process.pid, hostname: engine.options.hostname },
    });
    expect(engine.events).toEqual([`task-started:${id}`]);
    expect(engine.taskEvents.counters()).toEqual({ active: 0, processed: 1 });
  });

  it('writes no STARTED when track_started is off', async () => {
    const delivery = fakeDelivery();
    await trace(delivery, () => 1, { ...POLICY, trackStarted: false });
    expect(engine.results.writes).toEqual([]);
  });

  it('reports the error a handler threw as a failure', async () => {
    const error = new RangeError('too big');
    const traced = await trace(fakeDelivery(), () => {
      throw error;
    });
    expect(traced.outcome).toEqual({ kind: 'failure', error });
  });

  it('stops waiting at the hard time limit, and the pool abandons the child', async () => {
    const runner = new RecordingRunner(() => new Promise(() => undefined));
    engine = fakeEngine({ runner });
    const delivery = fakeDelivery({ timeLimit: 0.05 });
    const traced = await trace(delivery, () => undefined);
    expect(traced.outcome.kind).toBe('timeout');
    expect(
      traced.outcome.kind === 'timeout' && traced.outcome.error,
    ).toBeInstanceOf(TimeLimitExceeded);
    expect(runner.ran).toEqual([delivery.message.headers.id]);
    expect(runner.abandoned).toEqual([delivery.message.headers.id]);
  });

  it('ends a run that revoke(terminate) stops, and forgets it afterwards', async () => {
    const delivery = fakeDelivery();
    const { id } = delivery.message.headers;
    let signal: AbortSignal | undefined;
    const traced = trace(delivery, ({ request }) => {
      signal = request.signal;
      return new Promise(() => undefined);
    });
    await sleep(10);
    expect(engine.revocations.revoke([id], true)).toEqual([id]);
    await expect(traced).resolves.toMatchObject({
      outcome: { kind: 'terminated' },
    });
    expect(signal?.aborted).toBe(true);
    // Not running any more: a second terminate finds nothing.
    expect(engine.revocations.revoke([id], true)).toEqual([]);
  });

  it('aborts the signal of a run that starts after shutdown began', async () => {
    engine.revocations.abortAll(new Error('worker shutting down'));
    const traced = await trace(fakeDelivery(), ({ request }) => {
      return request.signal.aborted;
    });
    expect(traced.outcome).toEqual({ kind: 'success', value: true });
  });

  it('stores progress as PROGRESS, or nowhere when the result is not stored', async () => {
    const stored = fakeDelivery();
    await trace(stored, async ({ request }) => {
      await request.progress({ done: 1 });
    });
    expect(engine.results.statesOf(stored.message.headers.id)).toEqual([
      'STARTED',
      'PROGRESS',
    ]);

    const ignored = fakeDelivery();
    await trace(
      ignored,
      async ({ request }) => {
        await request.progress({ done: 1 });
      },
      { ...POLICY, store: false, trackStarted: false },
    );
    expect(engine.results.statesOf(ignored.message.headers.id)).toEqual([]);
  });

  it('runs the task while STARTED is written, and hands a failed STARTED write on to settlement', async () => {
    engine.results.failWith = new Error('Redis down');
    let ran = false;
    const traced = await trace(fakeDelivery(), () => {
      ran = true;
    });
    expect(ran).toBe(true);
    await expect(traced.started).rejects.toThrow('Redis down');
  });

  it('frees the slot as soon as the body returns, before anything is settled', async () => {
    let freed = 0;
    const traced = await engine.tracer.trace(
      fakeDelivery(),
      { name: 'add_task', params: [] },
      { args: [], kwargs: {} },
      invoker(() => {
        expect(freed).toBe(0);
        return 1;
      }),
      POLICY,
      () => (freed += 1),
    );
    expect(traced.outcome).toEqual({ kind: 'success', value: 1 });
    expect(freed).toBe(1);
  });
});
