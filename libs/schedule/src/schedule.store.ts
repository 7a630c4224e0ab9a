import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JobSchedulerJson, Queue, RepeatOptions } from 'bullmq';
import { ScheduleExistsError } from './errors/schedule-exists.error';
import { ScheduleNotFoundError } from './errors/schedule-not-found.error';
import {
  assertValidSchedule,
  everyMilliseconds,
  type PeriodicSchedule,
} from './periodic-schedule';
import { SCHEDULE_QUEUE, ScheduleJobName } from './schedule.constants';
import type { PeriodicTaskJobData, ScheduleSource } from './schedule-job';
import { SCHEDULE_JOB_OPTIONS } from './schedule-job-options';

// How long a create may hold its name; far beyond one check and one upsert.
const CREATE_CLAIM_MS = 10_000;
// Deletes the claim only while it is still this create's.
const RELEASE_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** A stored schedule, with where it came from and its next run. */
export interface StoredSchedule extends PeriodicSchedule {
  source: ScheduleSource;
  /** ISO time of the next tick, null when BullMQ has none planned. */
  nextRunAt: string | null;
}

/**
 * Periodic schedules as BullMQ job schedulers in Redis: one scheduler per
 * name, so any number of beat replicas share it and each tick becomes one
 * job, processed once.
 */
@Injectable()
export class ScheduleStore {
  private readonly logger = new Logger(ScheduleStore.name);

  constructor(
    @InjectQueue(SCHEDULE_QUEUE)
    private readonly queue: Queue<PeriodicTaskJobData>,
  ) {}

  /**
   * @throws InvalidScheduleError for a bad cron, timezone or interval
   * @throws ScheduleExistsError when the name is taken
   */
  async create(schedule: PeriodicSchedule): Promise<StoredSchedule> {
    assertValidSchedule(schedule);
    const release = await this.claimName(schedule.name);
    try {
      if (await this.queue.getJobScheduler(schedule.name)) {
        throw new ScheduleExistsError(schedule.name);
      }
      return await this.upsert(schedule, 'api');
    } finally {
      await release();
    }
  }

  /**
   * @throws InvalidScheduleError for a bad cron, timezone or interval
   * @throws ScheduleNotFoundError when nobody created it
   */
  async replace(schedule: PeriodicSchedule): Promise<StoredSchedule> {
    assertValidSchedule(schedule);
    await this.get(schedule.name);
    return this.upsert(schedule, 'api');
  }

  /** Every schedule, the next due first. */
  async list(): Promise<StoredSchedule[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true);
    return schedulers.map((scheduler) => toStored(scheduler));
  }

  /** @throws ScheduleNotFoundError when nobody created it */
  async get(name: string): Promise<StoredSchedule> {
    const scheduler = await this.queue.getJobScheduler(name);
    if (!scheduler) {
      throw new ScheduleNotFoundError(name);
    }
    return toStored(scheduler, name);
  }

  /** @throws ScheduleNotFoundError when nobody created it */
  async remove(name: string): Promise<void> {
    if (!(await this.queue.removeJobScheduler(name))) {
      throw new ScheduleNotFoundError(name);
    }
  }

  /**
   * Makes the stored file schedules equal to BEAT_SCHEDULE_FILE's: upserts
   * each entry and removes file schedules the file no longer has. Schedules
   * made through the api are left alone, unless the file takes their name.
   */
  async syncFromFile(schedules: readonly PeriodicSchedule[]): Promise<void> {
    const names = new Set(schedules.map(({ name }) => name));
    for (const schedule of schedules) {
      assertValidSchedule(schedule);
      await this.upsert(schedule, 'file');
    }
    for (const stored of await this.list()) {
      if (stored.source === 'file' && !names.has(stored.name)) {
        await this.queue.removeJobScheduler(stored.name);
        this.logger.log({
          msg: 'schedule removed: no longer in the file',
          schedule: stored.name,
        });
      }
    }
  }

  /**
   * Claims a name for one create (SET NX, shared by every api replica), so
   * two creates of one name cannot both pass the existence check: the one
   * that finds it claimed answers as if it existed, like a unique key.
   * @throws ScheduleExistsError when another create holds the name
   */
  private async claimName(name: string): Promise<() => Promise<void>> {
    const redis = await this.queue.getBackend().client;
    const key = `${this.queue.toKey('creating')}:${name}`;
    const token = randomUUID();
    const claimed: unknown = await redis.runCommand('set', [
      key,
      token,
      'PX',
      CREATE_CLAIM_MS,
      'NX',
    ]);
    if (claimed !== 'OK') {
      throw new ScheduleExistsError(name);
    }
    return async () => {
      await redis.runCommand('eval', [RELEASE_CLAIM, 1, key, token]);
    };
  }

  private async upsert(
    schedule: PeriodicSchedule,
    source: ScheduleSource,
  ): Promise<StoredSchedule> {
    const repeat: Omit<RepeatOptions, 'key'> =
      schedule.cron === undefined
        ? { every: everyMilliseconds(schedule.every ?? 0) }
        : {
            pattern: schedule.cron,
            tz: schedule.timezone ?? 'UTC',
          };
    const data: PeriodicTaskJobData = {
      name: schedule.name,
      task: schedule.task,
      args: schedule.args,
      kwargs: schedule.kwargs,
      ...(schedule.queue === undefined ? {} : { queue: schedule.queue }),
      source,
    };
    await this.queue.upsertJobScheduler(schedule.name, repeat, {
      name: ScheduleJobName.Periodic,
      data,
      opts: SCHEDULE_JOB_OPTIONS,
    });
    this.logger.log({
      msg: 'schedule stored',
      schedule: schedule.name,
      task: schedule.task,
      every: schedule.every,
      cron: schedule.cron,
      source,
    });
    return this.get(schedule.name);
  }
}

function toStored(
  scheduler: JobSchedulerJson<PeriodicTaskJobData>,
  fallbackName?: string,
): StoredSchedule {
  const data = scheduler.template?.data;
  const name = data?.name ?? scheduler.id ?? scheduler.key ?? fallbackName;
  return {
    name: name ?? '',
    task: data?.task ?? '',
    args: data?.args ?? [],
    kwargs: data?.kwargs ?? {},
    ...(data?.queue === undefined ? {} : { queue: data.queue }),
    ...(scheduler.every === undefined || scheduler.every === null
      ? {}
      : { every: Number(scheduler.every) / 1000 }),
    ...(scheduler.pattern ? { cron: scheduler.pattern } : {}),
    ...(scheduler.pattern && scheduler.tz ? { timezone: scheduler.tz } : {}),
    source: data?.source ?? 'api',
    nextRunAt:
      scheduler.next === undefined || scheduler.next === null
        ? null
        : new Date(Number(scheduler.next)).toISOString(),
  };
}
