import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ControlClient } from '@celeriac/broker';
import { RevokedRepository } from '@celeriac/results';
import { pollUntil } from './poll-until';

/** What the monitor's controls act on in a test. */
export interface ControlTargets {
  /** A worker's hostname (a real process, so shutdown can be seen). */
  worker: string;
  /** The worker's only queue: send-task and async-apply publish there. */
  queue: string;
  /** A queue nobody consumes, for add/cancel consumer. */
  otherQueue: string;
  /** A FAILURE task of that worker: revoke and retry take it. */
  failedTaskId: string;
}

/** One control request, as a client would make it. */
export interface ControlCall {
  name: string;
  method: 'post' | 'put';
  path: string;
  body?: Record<string, unknown>;
}

/**
 * Every control the monitor has: Flower's (tasks, time and rate limits, consumers,
 * shutdown), celeriac's retry and one of Bull Board's buttons (resume,
 * harmless even if it went through). Shutdown comes last.
 */
export function monitorControls(targets: ControlTargets): ControlCall[] {
  const worker = encodeURIComponent(targets.worker);
  const task = encodeURIComponent(targets.failedTaskId);
  const queue = encodeURIComponent(targets.otherQueue);
  return [
    {
      name: 'async-apply',
      method: 'post',
      path: '/api/task/async-apply/add_task',
      body: { args: [20, 1], queue: targets.queue },
    },
    {
      name: 'send-task',
      method: 'post',
      path: '/api/task/send-task/add_task',
      body: { args: [20, 2], queue: targets.queue },
    },
    { name: 'retry', method: 'post', path: `/api/monitor/tasks/${task}/retry` },
    {
      name: 'time limits',
      method: 'post',
      path: `/api/task/timeout/add_task?workername=${worker}&soft=50&hard=60`,
    },
    {
      // '0': no limit, so the worker's later tasks run as before.
      name: 'rate limit',
      method: 'post',
      path: `/api/task/rate-limit/add_task?workername=${worker}&ratelimit=0`,
    },
    {
      name: 'add consumer',
      method: 'post',
      path: `/api/worker/queue/add-consumer/${worker}?queue=${queue}`,
    },
    {
      name: 'cancel consumer',
      method: 'post',
      path: `/api/worker/queue/cancel-consumer/${worker}?queue=${queue}`,
    },
    {
      name: 'revoke and terminate',
      method: 'post',
      path: `/api/task/revoke/${task}?terminate=true&signal=SIGTERM`,
    },
    {
      name: 'Bull Board resume',
      method: 'put',
      path: '/queues/api/queues/celeriac.schedule/resume',
    },
    {
      name: 'worker shutdown',
      method: 'post',
      path: `/api/worker/shutdown/${worker}`,
    },
  ];
}

/** Makes one control request against the monitor, with `authorization` if given. */
export function callControl(
  monitor: INestApplication,
  call: ControlCall,
  authorization?: string,
): request.Test {
  const pending = request(monitor.getHttpServer())[call.method](call.path);
  if (authorization) {
    pending.set('Authorization', authorization);
  }
  return call.body ? pending.send(call.body) : pending;
}

/** The queues a worker consumes, from its `active_queues` reply. */
export async function activeQueues(
  monitor: INestApplication,
  worker: string,
): Promise<string[]> {
  const replies = await monitor.get(ControlClient).broadcast('active_queues', {
    destination: [worker],
    reply: true,
    timeout: 5,
  });
  const answer = replies.find((reply) => worker in reply)?.[worker];
  if (!Array.isArray(answer)) {
    throw new Error(`${worker} did not answer active_queues`);
  }
  return (answer as { name: string }[]).map((queue) => queue.name);
}

/** Waits until the monitor's events list `worker` online (its controls need a known worker). */
export async function waitForWorkerOnline(
  monitor: INestApplication,
  worker: string,
  authorization?: string,
): Promise<void> {
  const online = await pollUntil(
    async () => {
      const pending = request(monitor.getHttpServer()).get(
        '/api/workers?status=1',
      );
      if (authorization) {
        pending.set('Authorization', authorization);
      }
      return ((await pending).body as Record<string, boolean>)[worker];
    },
    (status) => status === true,
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  if (online !== true) {
    throw new Error(`the monitor never saw ${worker} online`);
  }
}

/** What {@link expectControlsWork} made happen. */
export interface ControlEffects {
  /** The tasks async-apply, send-task and retry created. */
  sentTaskIds: string[];
  /** Each call's answer body, by call name. */
  answers: Record<string, unknown>;
}

/**
 * Makes every control but the worker's shutdown, with `authorization` if
 * given; each must answer 200. The caller checks the effects, then shuts
 * the worker down.
 */
export async function expectControlsWork(
  monitor: INestApplication,
  targets: ControlTargets,
  authorization?: string,
): Promise<ControlEffects> {
  const effects: ControlEffects = { sentTaskIds: [], answers: {} };
  for (const call of monitorControls(targets)) {
    if (call.name === 'worker shutdown') {
      continue;
    }
    const response = await callControl(monitor, call, authorization);
    expect({ call: call.name, status: response.status }).toEqual({
      call: call.name,
      status: 200,
    });
    effects.answers[call.name] = response.body;
    const taskId = (response.body as { 'task-id'?: unknown })['task-id'];
    if (typeof taskId === 'string') {
      effects.sentTaskIds.push(taskId);
    }
  }
  return effects;
}

/** A GET on the monitor, with `authorization` if given. */
export function monitorGet(
  monitor: INestApplication,
  path: string,
  authorization?: string,
): request.Test {
  const pending = request(monitor.getHttpServer()).get(path);
  return authorization ? pending.set('Authorization', authorization) : pending;
}

/** Polls Flower's task info until the task is in one of `states`. */
export async function waitForTaskState(
  monitor: INestApplication,
  taskId: string,
  states: string[],
  authorization?: string,
): Promise<string | undefined> {
  return pollUntil(
    async () =>
      (
        (await monitorGet(monitor, `/api/task/info/${taskId}`, authorization))
          .body as { state?: string }
      ).state,
    (state) => state !== undefined && states.includes(state),
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

/**
 * What a successful run of {@link expectControlsWork} must have done: the
 * sent tasks ran (add_task 20+1, 20+2; the retry failed again), the
 * consumer was added then cancelled, the revoke is stored.
 */
export async function expectControlEffects(
  monitor: INestApplication,
  targets: ControlTargets,
  effects: ControlEffects,
  authorization?: string,
): Promise<void> {
  expect(effects.sentTaskIds).toHaveLength(3);
  const [applied, sent, retried] = effects.sentTaskIds;
  for (const [taskId, state] of [
    [applied, 'SUCCESS'],
    [sent, 'SUCCESS'],
    [retried, 'FAILURE'],
  ]) {
    expect(
      await waitForTaskState(monitor, taskId, [state], authorization),
    ).toBe(state);
  }
  expect(effects.answers).toMatchObject({
    'time limits': { message: 'time limits set successfully' },
    'add consumer': { message: `add consumer ${targets.otherQueue}` },
    'cancel consumer': {
      message: `no longer consuming from ${targets.otherQueue}`,
    },
    'revoke and terminate': { message: `Revoked '${targets.failedTaskId}'` },
  });
  expect(
    await monitor.get(RevokedRepository).isRevoked(targets.failedTaskId),
  ).toBe(true);
}

/** Whether Bull Board shows the schedule queue without its buttons. */
export async function scheduleBoardReadOnly(
  monitor: INestApplication,
  authorization?: string,
): Promise<unknown> {
  const board = await monitorGet(monitor, '/queues/api/queues', authorization);
  expect(board.status).toBe(200);
  return (
    board.body as { queues: { name: string; readOnlyMode?: unknown }[] }
  ).queues.find((queue) => queue.name === 'celeriac.schedule')?.readOnlyMode;
}
