import { HttpStatus, Injectable } from '@nestjs/common';
import { CeleryClient } from '@celeriac/broker';
import {
  ResultRepository,
  RevokedRepository,
  type TaskMeta,
} from '@celeriac/results';
import { TaskProducer, TaskRegistry } from '@celeriac/tasks';
import { ProblemCode, notFound, ProblemException } from '../http/problem';
import { EventsState } from '../state/events-state';
import type { TaskRecord } from '../contract/flower-task';
import { presentTask } from '../state/task-record';
import { WorkerInspector } from '../workers/worker-inspector';
import type { TaskSubmission } from './task-options';

/** States from which a task may be sent again. */
const RETRYABLE = new Set(['FAILURE', 'REVOKED']);

/**
 * Turns a Python repr of JSON-like values (what events carry: `[1, 'a']`,
 * `(1, 2)`, `{'x': None}`) into the values; null when it is anything more.
 */
export function parsePythonLiteral(text: string): unknown {
  const json = text.replace(
    /'((?:[^'\\]|\\.)*)'|\bNone\b|\bTrue\b|\bFalse\b|\(|\)|,\s*\)/g,
    (token, quoted?: string) => {
      if (quoted !== undefined) {
        return JSON.stringify(quoted.replace(/\\'/g, "'"));
      }
      if (token === 'None') {
        return 'null';
      }
      if (token === 'True') {
        return 'true';
      }
      if (token === 'False') {
        return 'false';
      }
      if (token === '(') {
        return '[';
      }
      return ']';
    },
  );
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * What the monitor does to tasks: looks them up in memory or the result
 * backend, and sends, revokes and retries them through the same producer,
 * revoked store and pidbox broadcast as the api.
 */
@Injectable()
export class TaskService {
  constructor(
    private readonly state: EventsState,
    private readonly results: ResultRepository,
    private readonly revoked: RevokedRepository,
    private readonly producer: TaskProducer,
    private readonly registry: TaskRegistry,
    private readonly client: CeleryClient,
    private readonly inspector: WorkerInspector,
  ) {}

  /** The task as the API shows it, or a 404 problem. */
  info(uuid: string): TaskRecord {
    const task = this.state.task(uuid);
    if (!task) {
      throw notFound(`Unknown task '${uuid}'`);
    }
    return presentTask(task);
  }

  /** Flower's task/result: `{task-id, state, result}` from the backend. */
  async result(uuid: string): Promise<Record<string, unknown>> {
    const meta = await this.results.getTaskMeta(uuid);
    if (!meta && !this.state.task(uuid)) {
      throw notFound(`Unknown task '${uuid}'`);
    }
    const response: Record<string, unknown> = {
      'task-id': uuid,
      state: meta?.status ?? 'PENDING',
      result: meta?.result ?? null,
    };
    if (meta?.status === 'FAILURE') {
      response.traceback = meta.traceback;
    }
    return response;
  }

  /** Whether celeriac, a worker or the events know a task by this name. */
  isKnownTask(name: string): boolean {
    if (this.registry.get(name) || this.state.taskTypes().includes(name)) {
      return true;
    }
    for (const info of this.inspector.workers.values()) {
      const registered = info.registered;
      if (
        Array.isArray(registered) &&
        registered.some(
          (entry) => typeof entry === 'string' && entry.split(' ')[0] === name,
        )
      ) {
        return true;
      }
    }
    return false;
  }

  async send(
    name: string,
    submission: TaskSubmission,
  ): Promise<{ taskId: string; state: string }> {
    const { taskId } = await this.producer.sendTask(name, {
      ...submission.options,
      args: submission.args,
      kwargs: submission.kwargs,
    });
    const meta = await this.results.getTaskMeta(taskId);
    return { taskId, state: meta?.status ?? 'PENDING' };
  }

  /** Revokes as the api does: stored first, then broadcast. */
  async revoke(
    uuid: string,
    terminate: boolean,
    signal: string,
  ): Promise<void> {
    if (!this.state.task(uuid) && !(await this.results.getTaskMeta(uuid))) {
      throw notFound(`Unknown task '${uuid}'`);
    }
    await this.revoked.revoke([uuid]);
    await this.client.broadcastControl('revoke', {
      task_id: uuid,
      terminate,
      signal,
    });
  }

  /** Sends a failed or revoked task again, as a new task with the same name, arguments and queue. */
  async retry(uuid: string): Promise<string> {
    const task = this.state.task(uuid);
    const meta: TaskMeta | null = await this.results.getTaskMeta(uuid);
    if (!task && !meta) {
      throw notFound(`Unknown task '${uuid}'`);
    }
    const state = task?.state ?? meta?.status ?? 'PENDING';
    if (!RETRYABLE.has(state)) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        ProblemCode.Conflict,
        `Task '${uuid}' is ${state}: only FAILURE or REVOKED tasks can be retried`,
      );
    }
    const name = meta?.name ?? task?.name;
    const args =
      meta?.args ?? (task?.args ? parsePythonLiteral(task.args) : []);
    const kwargs =
      meta?.kwargs ?? (task?.kwargs ? parsePythonLiteral(task.kwargs) : {});
    if (
      !name ||
      !Array.isArray(args) ||
      typeof kwargs !== 'object' ||
      kwargs === null
    ) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        ProblemCode.Conflict,
        `Task '${uuid}' cannot be retried: its name or arguments are not known`,
      );
    }
    const { taskId } = await this.producer.sendTask(name, {
      args,
      kwargs: kwargs as Record<string, unknown>,
      queue: meta?.queue ?? task?.routing_key ?? undefined,
    });
    return taskId;
  }
}
