import type { TaskMessage } from '@celeriac/broker';

/** What a canvas needs from its surroundings to become messages. */
export interface CanvasContext {
  /** The queue a task goes to when its signature names none. */
  queueFor(task: string): string;
  newId(): string;
}

/** One message ready to publish, and where. */
export interface PlannedMessage {
  message: TaskMessage;
  queue: string;
}

/** A canvas turned into messages, with the ids a caller reports and tracks. */
export interface CanvasPlan {
  /** The id whose result is the canvas's result (a chain's last task). */
  taskId: string;
  /** Every task id the canvas will create, to be marked PENDING up front. */
  taskIds: string[];
  messages: PlannedMessage[];
  /** Groups to save as `GroupResult`s, so `/result/group/<id>` can find them. */
  groups: { groupId: string; childIds: string[] }[];
  /** Chord sizes to store before the header is published (§B.8). */
  chords: { groupId: string; size: number }[];
  /**
   * Set when a worker continues a workflow (a chain's next step, callbacks,
   * a chord's body): the ids were issued when the workflow was submitted,
   * so the PENDING marks need not be confirmed before the publishes.
   */
  continuation?: boolean;
}
