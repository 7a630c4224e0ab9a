import type { TaskDelivery } from '@celeriac/broker';

/** Where a received task is: Celery's scheduled, reserved or active. */
export type RequestStage = 'scheduled' | 'reserved' | 'active';

/** Celery's `Request.info()` (`celery/worker/request.py`), key for key. */
export interface RequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** Epoch seconds it started; null until it runs. */
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: {
    exchange: string;
    routing_key: string;
    priority: number | null;
    redelivered: boolean;
  };
  /** The process running it; null until it runs. */
  worker_pid: number | null;
}

/** One entry of Celery's `scheduled` reply. */
export interface ScheduledInfo {
  eta: string | null;
  priority: number;
  request: RequestInfo;
}

/**
 * A task the worker received and has not finished: the executor moves it
 * from stage to stage; the remote control reads it.
 */
export class TrackedRequest {
  private current: RequestStage;
  private startedAt: number | null = null;

  constructor(
    readonly delivery: TaskDelivery,
    private readonly hostname: string,
    /** Epoch milliseconds the worker received it. */
    readonly receivedAt: number,
    private readonly onForget: (request: TrackedRequest) => void,
  ) {
    const eta = parseTime(delivery.message.headers.eta);
    this.current = eta !== null && eta > receivedAt ? 'scheduled' : 'reserved';
  }

  get stage(): RequestStage {
    return this.current;
  }

  get id(): string {
    return this.delivery.message.headers.id;
  }

  get name(): string {
    return this.delivery.message.headers.task;
  }

  /** Its ETA passed: it waits for a free slot. */
  reserve(): void {
    this.current = 'reserved';
  }

  /**
   * It runs now.
   * @param now - epoch milliseconds
   */
  start(now: number = Date.now()): void {
    this.current = 'active';
    this.startedAt = now / 1000;
  }

  /** Done, given back or refused: no longer the worker's. */
  forget(): void {
    this.onForget(this);
  }

  /**
   * `Request.info(safe)`: with `safe`, args and kwargs are their repr
   * strings (`argsrepr` / `kwargsrepr`), as Flower asks for them.
   */
  info(safe = false): RequestInfo {
    const { message, delivery, raw } = this.delivery;
    const { headers } = message;
    const running = this.current === 'active';
    return {
      id: headers.id,
      name: headers.task,
      args: safe ? headers.argsrepr : message.args,
      kwargs: safe ? headers.kwargsrepr : message.kwargs,
      type: headers.task,
      hostname: this.hostname,
      time_start: this.startedAt,
      acknowledged: this.delivery.acknowledged,
      delivery_info: {
        exchange: delivery.exchange,
        routing_key: delivery.routingKey,
        priority: priorityOf(raw.properties),
        redelivered: delivery.redelivered,
      },
      worker_pid: running ? process.pid : null,
    };
  }

  /** Its entry in `scheduled`: the ETA as the message carries it. */
  scheduledInfo(): ScheduledInfo {
    return {
      eta: this.delivery.message.headers.eta,
      priority: priorityOf(this.delivery.raw.properties) ?? 0,
      request: this.info(),
    };
  }
}

/**
 * The worker's view of its tasks, as Celery's `worker.state` keeps it:
 * the requests it holds by stage, and how many tasks of each name it has
 * started (`total_count`, the `total` of `stats`).
 */
export class WorkerRequests {
  private readonly requests = new Set<TrackedRequest>();
  private readonly totals = new Map<string, number>();

  constructor(private readonly hostname: string) {}

  private readonly forgetRequest = (done: TrackedRequest) =>
    this.requests.delete(done);

  /** Tracks a delivered task until `forget()`. */
  receive(delivery: TaskDelivery, now: number = Date.now()): TrackedRequest {
    const request = new TrackedRequest(
      delivery,
      this.hostname,
      now,
      this.forgetRequest,
    );
    this.requests.add(request);
    return request;
  }

  /** Marks it running and counts it under its name. */
  start(request: TrackedRequest, now: number = Date.now()): void {
    request.start(now);
    this.totals.set(request.name, (this.totals.get(request.name) ?? 0) + 1);
  }

  /** The requests in one stage, oldest first. */
  inStage(stage: RequestStage): TrackedRequest[] {
    return [...this.requests].filter((request) => request.stage === stage);
  }

  /** The requests with these ids, whatever their stage. */
  find(ids: readonly string[]): TrackedRequest[] {
    const wanted = new Set(ids);
    return [...this.requests].filter((request) => wanted.has(request.id));
  }

  /** `{task name: tasks started}` since the worker started. */
  totalCount(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }
}

// amqplib types the properties' values as any.
function priorityOf(properties: { priority?: unknown }): number | null {
  return typeof properties.priority === 'number' ? properties.priority : null;
}

function parseTime(iso: string | null): number | null {
  if (iso === null) {
    return null;
  }
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}
