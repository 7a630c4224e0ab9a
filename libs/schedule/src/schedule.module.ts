import { BullModule, getQueueToken } from '@nestjs/bullmq';
import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CeleriacConfig } from '@celeriac/config';
import { DelayedTaskScheduler } from './delayed-task.scheduler';
import { bullConnectionOptions } from './redis-connection';
import { SCHEDULE_MODULE_OPTIONS, SCHEDULE_QUEUE } from './schedule.constants';
import type { ScheduleModuleOptions } from './schedule.module-options';
import { ScheduleStore } from './schedule.store';

/**
 * The `celeriac.schedule` BullMQ queue on RESULT_BACKEND_URL's Redis, with
 * the {@link DelayedTaskScheduler} (api and worker) and the
 * {@link ScheduleStore} (api and beat). Global, so the executor and the
 * producer find the scheduler wherever the app imports this module.
 */
@Global()
@Module({})
export class ScheduleModule {
  private readonly logger = new Logger(ScheduleModule.name);

  // The listener goes on as soon as the queue exists, not in onModuleInit:
  // other modules' init hooks may wait on I/O first, and an 'error' BullMQ
  // cannot deliver is printed whole by its fallback (a Redis AUTH error
  // carries the password in its command args).
  constructor(
    @Inject(getQueueToken(SCHEDULE_QUEUE)) private readonly queue: Queue,
  ) {
    let last: string | undefined;
    this.queue.on('error', (error: Error) => {
      if (error.message !== last) {
        last = error.message;
        this.logger.warn({ msg: 'schedule queue error', error: error.message });
      }
    });
  }

  /** @param failFast - Redis commands fail at once while it is down (the api) */
  static forRoot({
    failFast = false,
  }: { failFast?: boolean } = {}): DynamicModule {
    return {
      module: ScheduleModule,
      imports: [
        BullModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            connection: bullConnectionOptions(config.results, {
              failFast,
            }),
          }),
        }),
        BullModule.registerQueue({ name: SCHEDULE_QUEUE }),
      ],
      providers: [
        {
          provide: SCHEDULE_MODULE_OPTIONS,
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig): ScheduleModuleOptions => ({
            delayThresholdSeconds: config.beat.delayThresholdSeconds,
          }),
        },
        DelayedTaskScheduler,
        ScheduleStore,
      ],
      exports: [BullModule, DelayedTaskScheduler, ScheduleStore],
    };
  }
}
