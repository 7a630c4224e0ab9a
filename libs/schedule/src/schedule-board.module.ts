import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { ScheduleBoard } from './schedule-board';
import { SCHEDULE_QUEUE } from './schedule.constants';

/** Where the board is mounted in the app that imports it (the monitor). */
export const SCHEDULE_BOARD_ROUTE = '/queues';

/**
 * Bull Board at `/queues` for the `celeriac.schedule` queue: delayed tasks,
 * periodic ticks, failures and retries. Needs {@link ScheduleModule} (it
 * finds the queue in it) and an Express app.
 */
@Module({
  imports: [
    BullBoardModule.forRoot({
      route: SCHEDULE_BOARD_ROUTE,
      adapter: ExpressAdapter,
    }),
    BullBoardModule.forFeature({
      name: SCHEDULE_QUEUE,
      adapter: BullMQAdapter,
    }),
  ],
  providers: [ScheduleBoard],
  exports: [ScheduleBoard],
})
export class ScheduleBoardModule {}
