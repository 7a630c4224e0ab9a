import { Injectable } from '@nestjs/common';
import type {
  EventDispatcher,
  WorkerCounters,
  WorkerHeartbeat,
} from '@celeriac/broker';

/**
 * The worker's handle on Celery's events: the executor reports task events
 * and counts through it, and the worker wires it to its `CeleryServer`'s
 * dispatcher once connected. Until then (and in the api) it sends nothing.
 */
@Injectable()
export class TaskEvents {
  private dispatcher?: EventDispatcher;
  private heartbeat?: WorkerHeartbeat;
  private active = 0;
  private processed = 0;
  private readonly listeners: ((
    type: string,
    fields: Record<string, unknown>,
  ) => void)[] = [];

  attach(events: {
    dispatcher: EventDispatcher;
    heartbeat: WorkerHeartbeat;
  }): void {
    this.dispatcher = events.dispatcher;
    this.heartbeat = events.heartbeat;
  }

  /** For the heartbeat. */
  readonly counters = (): WorkerCounters => ({
    active: this.active,
    processed: this.processed,
  });

  /**
   * Hears every task event the executor reports, sent or not (metrics).
   * A listener must not throw.
   */
  listen(
    listener: (type: string, fields: Record<string, unknown>) => void,
  ): void {
    this.listeners.push(listener);
  }

  /** Best effort: never throws, never waits for the broker. */
  send(type: string, fields: Record<string, unknown>): void {
    for (const listener of this.listeners) {
      listener(type, fields);
    }
    void this.dispatcher?.send(type, fields);
  }

  taskStarted(): void {
    this.active += 1;
  }

  taskFinished(): void {
    this.active = Math.max(0, this.active - 1);
    this.processed += 1;
  }

  /** Pidbox `enable_events` / `disable_events`. */
  setTaskEvents(enabled: boolean): void {
    if (this.dispatcher) {
      this.dispatcher.taskEvents = enabled;
    }
  }

  /** Pidbox `heartbeat`: one heartbeat now. */
  beat(): void {
    void this.heartbeat?.beat();
  }
}
