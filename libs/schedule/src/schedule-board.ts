import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BULL_BOARD_INSTANCE } from '@bull-board/nestjs';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SCHEDULE_QUEUE } from './schedule.constants';

/** The part of Bull Board's instance this needs. */
interface BullBoardInstance {
  replaceQueues(queues: readonly BullMQAdapter[]): void;
}

/** Bull Board's view of the schedule queue, once it is mounted. */
@Injectable()
export class ScheduleBoard {
  constructor(
    @Inject(BULL_BOARD_INSTANCE) private readonly board: BullBoardInstance,
    @InjectQueue(SCHEDULE_QUEUE) private readonly queue: Queue,
  ) {}

  /**
   * Shows the queue without Bull Board's buttons (retry, promote, clean,
   * pause, ...). Call after the app's init: the board adds its queue then.
   */
  makeReadOnly(): void {
    this.board.replaceQueues([
      new BullMQAdapter(this.queue, { readOnlyMode: true }),
    ]);
  }
}
