import type { TaskInvoker } from '@celeriac/broker';
import {
  ChordCompletion,
  PlanPublisher,
  TaskAdmission,
  type TaskCall,
  type TaskOptions,
  TaskRegistry,
  TaskRouter,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import {
  DeadLetters,
  EtaHolds,
  RequestAdmission,
  Revocations,
  TaskEvents,
  TaskExecutor,
  type TaskRunner,
  TaskSettlement,
  TaskTracer,
  WorkerRequests,
} from '@celeriac/worker';
import { asClient, FakeBroker } from './broker.fake';
import {
  asChords,
  asResults,
  asRevoked,
  FakeChords,
  FakeResults,
  FakeRevoked,
} from './results.fake';
import { asDelayed, type FakeDelayedTasks } from './schedule.fake';

export const FAKE_HOSTNAME = 'celeriac@fake';

/** What `fakeEngine` accepts besides TasksModuleOptions. */
export interface FakeEngineOptions extends Partial<TasksModuleOptions> {
  /** A pool (WORKER_POOL processes / threads); the event loop without one. */
  runner?: TaskRunner;
  /** BEAT_DELAY_THRESHOLD's scheduler; none: ETAs are always held. */
  delayed?: FakeDelayedTasks;
}

/**
 * The worker engine (libs/worker) wired as WorkerEngineModule wires it, on
 * the shared fakes: every piece is real except Redis, RabbitMQ and BullMQ.
 * `events` lists every task event as `type:id`.
 */
export function fakeEngine(options: FakeEngineOptions = {}) {
  const { runner, delayed, ...overrides } = options;
  const tasksOptions: TasksModuleOptions = {
    defaultQueue: 'default-queue',
    timeScale: 0,
    hostname: FAKE_HOSTNAME,
    concurrency: 2,
    softTimeLimit: 600,
    timeLimit: 1200,
    trackStarted: true,
    // Counted in memory: no Redis needed.
    rateLimitScope: 'worker',
    ...overrides,
  };
  const results = new FakeResults();
  const chords = new FakeChords();
  const broker = new FakeBroker();
  const revoked = new FakeRevoked();
  // Tasks are registered by hand (`register`); nothing is discovered.
  const registry = new TaskRegistry(
    null as never,
    null as never,
    null as never,
  );
  const router = new TaskRouter(registry, tasksOptions);
  const scheduler = delayed ? asDelayed(delayed) : undefined;
  const publisher = new PlanPublisher(
    asClient(broker),
    asResults(results),
    asChords(chords),
    scheduler,
  );
  const chordCompletion = new ChordCompletion(
    asChords(chords),
    asResults(results),
    publisher,
  );
  const taskEvents = new TaskEvents();
  const events: string[] = [];
  taskEvents.listen((type, { id }) => events.push(`${type}:${id}`));
  const revocations = new Revocations(asRevoked(revoked));
  const holds = new EtaHolds(scheduler);
  const limits = new TaskAdmission(null as never, tasksOptions);
  const admission = new RequestAdmission(
    limits,
    holds,
    revocations,
    tasksOptions,
  );
  const tracer = new TaskTracer(
    asResults(results),
    taskEvents,
    revocations,
    tasksOptions,
    runner ?? null,
  );
  const settlement = new TaskSettlement(
    asResults(results),
    publisher,
    chordCompletion,
    router,
    taskEvents,
    tasksOptions,
  );
  const deadLetters = new DeadLetters(
    asResults(results),
    asClient(broker),
    chordCompletion,
    router,
    taskEvents,
    tasksOptions,
  );
  const requests = new WorkerRequests(tasksOptions.hostname);
  const executor = new TaskExecutor(
    registry,
    requests,
    admission,
    tracer,
    settlement,
    deadLetters,
    holds,
    revocations,
    taskEvents,
    tasksOptions,
  );
  const register = (task: Partial<TaskOptions> & { name: string }) =>
    registry.register({ params: [], ...task });
  return {
    options: tasksOptions,
    results,
    chords,
    broker,
    revoked,
    registry,
    register,
    router,
    publisher,
    taskEvents,
    events,
    revocations,
    holds,
    limits,
    admission,
    tracer,
    settlement,
    deadLetters,
    requests,
    executor,
  };
}

export type FakeEngine = ReturnType<typeof fakeEngine>;

/**
 * A TaskInvoker for a handler that takes the TaskCall; a handler that
 * throws rejects, as a Nest handler's call does.
 */
export function invoker(handler: (call: TaskCall) => unknown): TaskInvoker {
  return (data) => new Promise((resolve) => resolve(handler(data as TaskCall)));
}
