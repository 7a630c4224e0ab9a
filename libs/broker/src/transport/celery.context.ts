import { BaseRpcContext } from '@nestjs/microservices';
import type { TaskDelivery } from './task-delivery';

/** The context a task handler gets as its second argument (`@Ctx()`). */
export class CeleryContext extends BaseRpcContext<[TaskDelivery]> {
  constructor(delivery: TaskDelivery) {
    super([delivery]);
  }

  /** The delivery being handled: message, headers, routing. */
  getDelivery(): TaskDelivery {
    return this.args[0];
  }
}
