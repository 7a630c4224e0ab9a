import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import { loadScheduleFile, ScheduleStore } from '@celeriac/schedule';

/**
 * Loads BEAT_SCHEDULE_FILE at start and stores its schedules; an invalid
 * file stops the boot with one sentence naming the entry. Every replica
 * does this: storing is an idempotent upsert per name.
 */
@Injectable()
export class ScheduleFileSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduleFileSync.name);

  constructor(
    private readonly config: CeleriacConfig,
    private readonly store: ScheduleStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = this.config.beat.scheduleFile;
    if (path === undefined) {
      return;
    }
    const schedules = await loadScheduleFile(path);
    await this.store.syncFromFile(schedules);
    this.logger.log({
      msg: 'schedule file loaded',
      file: path,
      schedules: schedules.map(({ name }) => name),
    });
  }
}
