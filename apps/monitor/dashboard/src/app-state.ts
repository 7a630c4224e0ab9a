import { TaskStore } from './task-store';
import type {
  MonitorClientConfig,
  MonitorQueue,
  MonitorStats,
  MonitorWorker,
} from '../../src/contract/monitor-views';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting';

/** A worker as last reported, and when (page clock) the report came. */
export interface WorkerEntry {
  worker: MonitorWorker;
  receivedAt: number;
}

type Listener<T> = (value: T) => void;

class Topic<T> {
  private readonly listeners = new Set<Listener<T>>();

  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) {
      listener(value);
    }
  }
}

/** Everything the views show, and a topic per kind of change. */
export class AppState {
  readonly tasks = new TaskStore();
  readonly workers = new Map<string, WorkerEntry>();
  queues: MonitorQueue[] = [];
  stats: MonitorStats | null = null;
  connection: ConnectionStatus = 'connecting';
  /** Until the monitor says otherwise, no controls are offered. */
  config: MonitorClientConfig = {
    readOnly: false,
    controls: false,
    authentication: [],
  };

  /** The ids a merge changed. */
  readonly tasksChanged = new Topic<Set<string>>();
  readonly workersChanged = new Topic<void>();
  readonly queuesChanged = new Topic<void>();
  readonly statsChanged = new Topic<void>();
  readonly connectionChanged = new Topic<ConnectionStatus>();

  setWorkers(workers: MonitorWorker[], replace: boolean): void {
    if (replace) {
      this.workers.clear();
    }
    const now = performance.now();
    for (const worker of workers) {
      this.workers.set(worker.hostname, { worker, receivedAt: now });
    }
    this.workersChanged.emit();
  }

  setQueues(queues: MonitorQueue[]): void {
    this.queues = queues;
    this.queuesChanged.emit();
  }

  setStats(stats: MonitorStats): void {
    this.stats = stats;
    this.statsChanged.emit();
  }

  setConnection(status: ConnectionStatus): void {
    this.connection = status;
    this.connectionChanged.emit(status);
  }
}

/** Seconds since the worker's last heartbeat, by the monitor's clock plus time since the report. */
export function heartbeatAge(entry: WorkerEntry, now: number): number | null {
  const { heartbeatAgeSeconds } = entry.worker;
  if (heartbeatAgeSeconds === null || heartbeatAgeSeconds === undefined) {
    return null;
  }
  return heartbeatAgeSeconds + (now - entry.receivedAt) / 1000;
}
