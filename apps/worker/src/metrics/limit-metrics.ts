import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { TaskAdmission } from '@celeriac/tasks';

/**
 * Prometheus metrics of rate limits and concurrency keys on this worker:
 * tasks that had to wait, tasks waiting now, keyed tasks running now.
 */
@Injectable()
export class LimitMetrics {
  constructor(registry: Registry, admission: TaskAdmission) {
    const registers = [registry];
    const { stats } = admission;
    const throttled = new Counter({
      name: 'celeriac_worker_throttled_tasks_total',
      help: 'Tasks that had to wait before running, by task name and limit (rate: its rate limit; concurrency: its concurrency key).',
      labelNames: ['task', 'limit'],
      registers,
    });
    stats.onThrottled((limit, task) => throttled.inc({ task, limit }));
    new Gauge({
      name: 'celeriac_worker_limited_tasks_waiting',
      help: 'Tasks waiting on this worker now for their rate limit or concurrency key (they hold no execution slot).',
      labelNames: ['limit'],
      registers,
      collect() {
        for (const limit of ['rate', 'concurrency'] as const) {
          this.set({ limit }, stats.waiting(limit));
        }
      },
    });
    new Gauge({
      name: 'celeriac_worker_keyed_tasks_running',
      help: 'Tasks with a concurrency key running on this worker now.',
      registers,
      collect() {
        let running = 0;
        for (const key of stats.keys.values()) {
          running += key.running;
        }
        this.set(running);
      },
    });
  }
}
