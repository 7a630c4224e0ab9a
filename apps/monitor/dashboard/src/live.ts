import { EVENTS_URL, monitorApi } from './api-client';
import type { AppState } from './app-state';
import { EventBatcher } from './event-batcher';
import { combineUpdates, type TaskUpdate } from './task-store';
import type {
  MonitorQueue,
  MonitorWorker,
} from '../../src/contract/monitor-views';

/** How many tasks the first load asks for (the monitor keeps 10 000). */
const INITIAL_TASKS = 10_000;

const nextFrame = (run: () => void) => requestAnimationFrame(() => run());

function parse<T>(event: Event): T | undefined {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    console.warn('dashboard: an SSE event that is not JSON', event);
    return undefined;
  }
}

/** The REST snapshot: what happened before the page opened. */
export async function loadSnapshot(state: AppState): Promise<void> {
  const [tasks, workers, queues] = await Promise.all([
    monitorApi.tasks(INITIAL_TASKS),
    monitorApi.workers(),
    monitorApi.queues(),
  ]);
  const changed = state.tasks.apply(Object.values(tasks));
  state.tasksChanged.emit(changed);
  state.setWorkers(workers, true);
  state.setQueues(queues);
}

/**
 * Follows /api/monitor/events. Task and worker events are merged once per
 * animation frame; after a dropped connection (EventSource reconnects by
 * itself) the snapshot is loaded again for what was missed meanwhile.
 */
export function followEvents(state: AppState): () => void {
  const tasks = new EventBatcher<TaskUpdate>(
    (task) => task.uuid,
    (updates) => state.tasksChanged.emit(state.tasks.apply(updates)),
    nextFrame,
    combineUpdates,
  );
  const workers = new EventBatcher<MonitorWorker>(
    (worker) => worker.hostname,
    (updates) => state.setWorkers(updates, false),
    nextFrame,
  );

  const source = new EventSource(EVENTS_URL);
  let dropped = false;
  source.addEventListener('open', () => {
    state.setConnection('live');
    if (dropped) {
      dropped = false;
      loadSnapshot(state).catch((error: unknown) =>
        console.warn('dashboard: reload after reconnect failed', error),
      );
    }
  });
  source.addEventListener('error', () => {
    dropped = true;
    state.setConnection('reconnecting');
  });
  source.addEventListener('task', (event) => {
    const task = parse<TaskUpdate>(event);
    if (task && typeof task.uuid === 'string') {
      tasks.push(task);
    }
  });
  source.addEventListener('worker', (event) => {
    const worker = parse<MonitorWorker>(event);
    if (worker && typeof worker.hostname === 'string') {
      workers.push(worker);
    }
  });
  source.addEventListener('queues', (event) => {
    const queues = parse<MonitorQueue[]>(event);
    if (Array.isArray(queues)) {
      state.setQueues(queues);
    }
  });
  return () => source.close();
}
