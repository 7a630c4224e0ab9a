import type { TaskRecord } from '../../src/contract/flower-task';
import type {
  MonitorClientConfig,
  MonitorQueue,
  MonitorStats,
  MonitorWorker,
} from '../../src/contract/monitor-views';
import type { TaskWorkflow } from '../../src/contract/workflow';

/** A refused request, with the reason the monitor gave (problem detail). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function reason(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const text = body.detail ?? body.message ?? body.title;
    if (typeof text === 'string') {
      return text;
    }
  } catch {
    // Not JSON: the status line says enough.
  }
  return `${response.status} ${response.statusText}`;
}

async function call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (!response.ok) {
    throw new ApiError(response.status, await reason(response));
  }
  return (await response.json()) as T;
}

const id = encodeURIComponent;

/** The monitor's REST API: Flower's routes and celeriac's /api/monitor/*. */
export const monitorApi = {
  /** Flower's /api/tasks: a dict keyed by task id, newest first. */
  tasks: (limit: number) =>
    call<Record<string, TaskRecord>>(
      'GET',
      `/api/tasks?limit=${limit}&sort_by=-received`,
    ),
  taskInfo: (taskId: string) =>
    call<TaskRecord>('GET', `/api/task/info/${id(taskId)}`),
  /** The workflow the task belongs to (404 when the monitor knows nothing of it). */
  workflow: (taskId: string) =>
    call<TaskWorkflow>('GET', `/api/monitor/tasks/${id(taskId)}/workflow`),
  workers: () => call<MonitorWorker[]>('GET', '/api/monitor/workers'),
  queues: () => call<MonitorQueue[]>('GET', '/api/monitor/queues'),
  stats: () => call<MonitorStats>('GET', '/api/monitor/stats'),
  config: () => call<MonitorClientConfig>('GET', '/api/monitor/config'),
  revoke: (taskId: string, terminate: boolean) =>
    call<{ message: string }>(
      'POST',
      `/api/task/revoke/${id(taskId)}${terminate ? '?terminate=true&signal=SIGTERM' : ''}`,
    ),
  retry: (taskId: string) =>
    call<{ 'task-id': string }>(
      'POST',
      `/api/monitor/tasks/${id(taskId)}/retry`,
    ),
};

export const EVENTS_URL = '/api/monitor/events';
