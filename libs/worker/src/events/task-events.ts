import { Injectable } from '@nestjs/common';
import type { EventDispatcher, WorkerCounters } from '@celeriac/broker';

/** The task an event is about. */
export interface TaskEventSubject {
  id: string;
  /** The task name. */
  name: string;
}

/** Hears a task event (its type, such as `task-succeeded`, and its task). */
export type TaskEventListener = (type: string, task: TaskEventSubject) => void;

/**
 * The worker's handle on Celery's events: the engine reports task events
 * and counts through it; `WorkerEvents` attaches the dispatcher once the
 * worker is connected. Until then it sends nothing (listeners still hear).
 */
@Injectable()
export class TaskEvents {
  private dispatcher?: EventDispatcher;
  private active = 0;
  private processed = 0;
  private readonly listeners: TaskEventListener[] = [];

  attach(dispatcher: EventDispatcher): void {
    this.dispatcher = dispatcher;
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
  listen(listener: TaskEventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Best effort: never throws, never waits for the broker. The event's
   * fields besides `uuid` are built only when task events are sent (a
   * worker without `-E` reprs no args or results).
   */
  send(
    type: string,
    task: TaskEventSubject,
    fields?: () => Record<string, unknown>,
  ): void {
    for (const listener of this.listeners) {
      listener(type, task);
    }
    const dispatcher = this.dispatcher;
    if (dispatcher?.taskEvents) {
      dispatcher.sendTaskEvent(type, task.id, fields?.());
    }
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
}
