import type { TaskQueueType } from '../topology/queue-type';
import type { CountdownDelivery } from './native-countdown';

/** Options of the publishing side. */
export interface CeleryClientOptions {
  /** One broker, or several separated by `;` to fail over between. */
  url: string;
  /** Celery's `task_default_queue_type`; classic by default. */
  queueType?: TaskQueueType;
  /** `native`: ETAs go through the delayed-delivery levels; `beat` by default. */
  countdownDelivery?: CountdownDelivery;
  /** How long a publish may wait for the broker's confirm. */
  publishTimeoutMs?: number;
  /** Shown in RabbitMQ's connection list. */
  connectionName?: string;
  /**
   * Reject a publish at once, instead of buffering it for up to
   * `publishTimeoutMs`, while the connection is known to be lost (a
   * connect failed or dropped and none succeeded since). The api sets it
   * so a submit answers 503 at once when readiness already says down; the
   * worker leaves it off and waits for the broker to come back.
   */
  failFastWhileDown?: boolean;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

/** How long a publish may wait for its confirm under these options. */
export function publishTimeoutMsOf(options: CeleryClientOptions): number {
  return options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
}
