import { Inject, Injectable } from '@nestjs/common';
import type { TaskDelivery } from '@celeriac/broker';
import {
  type Admitted,
  TaskAdmission,
  type TaskOptions,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { ConcurrencyLimit } from './concurrency-limit';
import { EtaHolds, parseTime } from './eta-holds';
import { Revocations } from './revocations';
import type { TrackedRequest } from './worker-requests';

/** The arguments a task is called with, bound to its parameters. */
export interface BoundArguments {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * What admission decided: run it; settle it as REVOKED without running it
 * (`expired`, or `revoked` while it waited); or nothing more to do here
 * (handed to beat, or given back to its queue). `release()` frees what
 * it holds (its execution slot and limits) once it is done.
 */
export type Admission =
  | { verdict: 'run' | 'revoked' | 'expired'; release(): void }
  | { verdict: 'settled' };

const SETTLED: Admission = { verdict: 'settled' };
const EXPIRED: Admission = { verdict: 'expired', release: () => undefined };

/**
 * Celery's strategy (celery/worker/strategy.py) between receiving a task
 * and running it: expired → REVOKED; ETA → handed to beat or held until
 * due; then its rate limit and concurrency key (libs/tasks/src/limits); then
 * one of WORKER_CONCURRENCY execution slots; revoked meanwhile → REVOKED.
 * Shutdown ends every wait, and the message goes back to its queue.
 */
@Injectable()
export class RequestAdmission {
  private readonly slots: ConcurrencyLimit;

  constructor(
    private readonly limits: TaskAdmission,
    private readonly holds: EtaHolds,
    private readonly revocations: Revocations,
    @Inject(TASKS_MODULE_OPTIONS) options: TasksModuleOptions,
  ) {
    this.slots = new ConcurrencyLimit(options.concurrency);
  }

  /** Synchronous for most tasks: no ETA, no limits, and a slot free now. */
  admit(
    delivery: TaskDelivery,
    request: TrackedRequest,
    definition: TaskOptions,
    bound: BoundArguments,
  ): Admission | Promise<Admission> {
    if (isPast(delivery.message.headers.expires)) {
      return EXPIRED;
    }
    return delivery.message.headers.eta === null
      ? this.admitNow(delivery, definition, bound)
      : this.admitWhenDue(delivery, request, definition, bound);
  }

  private async admitWhenDue(
    delivery: TaskDelivery,
    request: TrackedRequest,
    definition: TaskOptions,
    bound: BoundArguments,
  ): Promise<Admission> {
    if (await this.holds.handOff(delivery)) {
      return SETTLED;
    }
    if (!(await this.holds.wait(delivery))) {
      delivery.reject(true);
      return SETTLED;
    }
    request.reserve();
    return this.admitNow(delivery, definition, bound);
  }

  // Waits without a slot; a task without limits passes synchronously.
  private admitNow(
    delivery: TaskDelivery,
    definition: TaskOptions,
    bound: BoundArguments,
  ): Admission | Promise<Admission> {
    const admitting = this.limits.admit(
      delivery,
      definition,
      bound,
      this.holds.signal,
    );
    return admitting instanceof Promise
      ? admitting.then((admitted) => this.takeSlot(delivery, admitted))
      : this.takeSlot(delivery, admitting);
  }

  private takeSlot(
    delivery: TaskDelivery,
    admitted: Admitted | null,
  ): Admission | Promise<Admission> {
    if (!admitted) {
      delivery.reject(true);
      return SETTLED;
    }
    const slot = this.slots.tryAcquire();
    return slot
      ? this.verdictOf(delivery, slot, admitted)
      : this.slots
          .acquire()
          .then((acquired) => this.verdictOf(delivery, acquired, admitted));
  }

  private verdictOf(
    delivery: TaskDelivery,
    slot: () => void,
    admitted: Admitted,
  ): Admission {
    const release = () => {
      slot();
      admitted.release();
    };
    if (this.holds.signal.aborted) {
      // Shutdown began while it waited for a slot: it has not started.
      release();
      delivery.reject(true);
      return SETTLED;
    }
    const { id } = delivery.message.headers;
    const verdict = this.revocations.isRevoked(id) ? 'revoked' : 'run';
    return { verdict, release };
  }
}

function isPast(iso: string | null): boolean {
  const time = parseTime(iso);
  return time !== null && time <= Date.now();
}
