import { Injectable } from '@nestjs/common';
import { type ConnectionCompanion, WorkerHeartbeat } from '@celeriac/broker';
import { TaskEvents } from './task-events';
import { WorkerEvents } from './worker-events';

/**
 * Celery's worker heartbeat (`worker-online`, `worker-heartbeat` every 2 s,
 * `worker-offline`), sent through the worker's event dispatcher even when
 * task events are off, with the active and processed counts.
 */
@Injectable()
export class WorkerHeartbeats implements ConnectionCompanion {
  private heartbeat?: WorkerHeartbeat;

  constructor(
    private readonly events: WorkerEvents,
    private readonly tasks: TaskEvents,
  ) {}

  /** Needs the event dispatcher: starts after `WorkerEvents`. */
  async start(): Promise<void> {
    const dispatcher = this.events.dispatcher;
    if (!dispatcher) {
      throw new Error('the worker heartbeat starts after its events');
    }
    this.heartbeat = new WorkerHeartbeat(dispatcher, this.tasks.counters);
    await this.heartbeat.start();
  }

  /** Pidbox `heartbeat`: one heartbeat now. */
  beat(): void {
    void this.heartbeat?.beat();
  }

  async stop(): Promise<void> {
    await this.heartbeat?.stop();
  }
}
