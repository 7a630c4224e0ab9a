import { buildTaskMessage } from '@celeriac/broker';
import { randomUUID } from 'node:crypto';
import { RunningTaskRequest } from '../execution/running-task-request';
import { RunSignal } from '../execution/time-limits';
import { ChildPool, type ChildPoolOptions } from './child-pool';
import type { ChildExit, PoolChildHandle } from './pool-child-handle';
import { WorkerLostError } from './pool-errors';
import type { FromChild, ToChild } from './pool-messages';

/** A pool child in memory: records what it is sent, answers when told. */
class FakeChild implements PoolChildHandle {
  static nextId = 1000;
  readonly id = FakeChild.nextId++;
  readonly sent: ToChild[] = [];
  killed = false;
  private messageListener?: (message: FromChild) => void;
  private exitListener?: (exit: ChildExit) => void;

  send(message: ToChild): void {
    this.sent.push(message);
  }

  onMessage(listener: (message: FromChild) => void): void {
    this.messageListener = listener;
  }

  onExit(listener: (exit: ChildExit) => void): void {
    this.exitListener = listener;
  }

  kill(): void {
    this.killed = true;
    queueMicrotask(() => this.exit({ code: null, signal: 'SIGKILL' }));
  }

  say(message: FromChild): void {
    this.messageListener?.(message);
  }

  exit(exit: ChildExit): void {
    this.exitListener?.(exit);
  }

  runs(): Extract<ToChild, { type: 'run' }>[] {
    return this.sent.filter(
      (message): message is Extract<ToChild, { type: 'run' }> =>
        message.type === 'run',
    );
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

describe(ChildPool.name, () => {
  let children: FakeChild[];
  let pool: ChildPool;
  const stored: Record<string, unknown>[] = [];

  const start = (options: Partial<ChildPoolOptions> = {}) => {
    children = [];
    pool = new ChildPool({
      kind: 'processes',
      entry: 'child.js',
      concurrency: 1,
      maxTasksPerChild: null,
      maxMemoryPerChildKib: null,
      timeouts: [600, 1200],
      shutdownTimeoutMs: 100,
      startChild: () => {
        const child = new FakeChild();
        children.push(child);
        return child;
      },
      ...options,
    });
    pool.onApplicationBootstrap();
    for (const child of children) {
      child.say({ type: 'ready' });
    }
  };

  const run = (signal = new RunSignal()) => {
    const message = buildTaskMessage({
      task: 'fib_task',
      id: randomUUID(),
      args: [10],
    });
    const request = new RunningTaskRequest(message, 'q', 'node@test', signal, {
      storeProgress: (_, meta) => {
        stored.push(meta);
        return Promise.resolve();
      },
    });
    const result = pool.run(
      { args: [10], kwargs: {}, request },
      message,
      'q',
      signal,
    );
    return { id: message.headers.id, result };
  };

  afterEach(async () => {
    stored.length = 0;
    await pool.onApplicationShutdown();
  });

  it('sends the task to a ready child and resolves with its value', async () => {
    start();
    const { id, result } = run();
    await flush();
    const [child] = children;
    expect(child.runs()).toEqual([
      expect.objectContaining({ id, args: [10], hostname: 'node@test' }),
    ]);
    child.say({ type: 'done', id, ok: true, value: 55, memory: 1 });
    await expect(result).resolves.toBe(55);
  });

  it("relays the child's progress to the task's request and acknowledges it", async () => {
    start();
    const { id, result } = run();
    await flush();
    const [child] = children;
    child.say({ type: 'progress', id, seq: 7, meta: { current: 1 } });
    await flush();
    expect(stored).toEqual([{ current: 1 }]);
    expect(child.sent).toContainEqual({ type: 'progress-stored', seq: 7 });
    child.say({ type: 'done', id, ok: true, value: 1, memory: 1 });
    await result;
  });

  it("forwards the run's abort (the soft limit) to the child", async () => {
    start();
    const signal = new RunSignal();
    const { id, result } = run(signal);
    await flush();
    signal.abort(new Error('soft limit'));
    const [child] = children;
    expect(child.sent).toContainEqual(
      expect.objectContaining({ type: 'abort', id }),
    );
    child.say({ type: 'done', id, ok: true, value: 1, memory: 1 });
    await result;
  });

  it('kills the child of an abandoned task and starts a fresh one', async () => {
    start();
    const { id, result } = run();
    await flush();
    const [first] = children;
    pool.abandon(id);
    await expect(result).rejects.toBeInstanceOf(WorkerLostError);
    await flush();
    expect(first.killed).toBe(true);
    expect(children).toHaveLength(2);
    expect(pool.info()).toMatchObject({ processes: [children[1].id] });
  });

  it('never starts a task abandoned while it waited for a free child', async () => {
    start();
    const first = run();
    const second = run();
    await flush();
    pool.abandon(second.id);
    await expect(second.result).rejects.toThrow('abandoned before it started');
    const [child] = children;
    child.say({ type: 'done', id: first.id, ok: true, value: 1, memory: 1 });
    await first.result;
    await flush();
    expect(child.runs().map((command) => command.id)).toEqual([first.id]);
    expect(child.killed).toBe(false);
  });

  it('fails the task with WorkerLostError when its child dies, and replaces the child', async () => {
    start();
    const { result } = run();
    await flush();
    children[0].exit({ code: null, signal: 'SIGKILL' });
    await expect(result).rejects.toThrow(
      'Worker exited prematurely: signal 9 (SIGKILL) Job: 0.',
    );
    // A child that died on its own is replaced after a pause.
    const deadline = Date.now() + 3000;
    while (children.length < 2 && Date.now() < deadline) {
      await flush();
    }
    expect(children).toHaveLength(2);
  });

  it('recycles a child after WORKER_MAX_TASKS_PER_CHILD tasks', async () => {
    start({ maxTasksPerChild: 1 });
    const { id, result } = run();
    await flush();
    const [first] = children;
    first.say({ type: 'done', id, ok: true, value: 1, memory: 1 });
    await result;
    await flush();
    expect(first.killed).toBe(true);
    expect(children).toHaveLength(2);
  });

  it('recycles a child above WORKER_MAX_MEMORY_PER_CHILD after a task', async () => {
    start({ maxMemoryPerChildKib: 1000 });
    const { id, result } = run();
    await flush();
    const [first] = children;
    first.say({ type: 'done', id, ok: true, value: 1, memory: 2000 * 1024 });
    await result;
    await flush();
    expect(first.killed).toBe(true);
  });
});
