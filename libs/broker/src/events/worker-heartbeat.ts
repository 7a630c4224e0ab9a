import { loadavg, type as osType } from 'node:os';
import type { EventDispatcher } from './event-dispatcher';

/** celeriac's `sw_ver` in worker events. */
export const CELERIAC_VERSION = '0.1.0';

/** What a worker reports in its heartbeats. */
export interface WorkerCounters {
  /** Tasks executing now. */
  active: number;
  /** Tasks processed since start. */
  processed: number;
}

/** The fields of `worker-online` / `-heartbeat` / `-offline` (§D.3). */
export function workerEventFields(
  counters: WorkerCounters,
  freq: number,
): Record<string, unknown> {
  return {
    freq,
    active: counters.active,
    processed: counters.processed,
    loadavg: loadavg().map((value) => Math.round(value * 100) / 100),
    sw_ident: 'celeriac',
    sw_ver: CELERIAC_VERSION,
    sw_sys: osType(),
  };
}

/**
 * Celery's `worker/heartbeat.py`: `worker-online` at start, a
 * `worker-heartbeat` every `freq` seconds, `worker-offline` at stop. Sent
 * even when task events are off.
 */
export class WorkerHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dispatcher: EventDispatcher,
    private readonly counters: () => WorkerCounters,
    readonly freq = 2.0,
  ) {}

  async start(): Promise<void> {
    await this.send('worker-online');
    this.timer = setInterval(() => void this.beat(), this.freq * 1000);
    this.timer.unref();
  }

  /** Sends one heartbeat now. */
  beat(): Promise<void> {
    return this.send('worker-heartbeat');
  }

  async stop(): Promise<void> {
    if (!this.timer) {
      return;
    }
    clearInterval(this.timer);
    this.timer = undefined;
    await this.send('worker-offline');
  }

  private send(type: string): Promise<void> {
    return this.dispatcher.send(
      type,
      workerEventFields(this.counters(), this.freq),
    );
  }
}
