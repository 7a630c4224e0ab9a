import { CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError } from './errors/invalid-schedule.error';

/**
 * A periodic task, as a user declares it (BEAT_SCHEDULE_FILE or
 * `/v1/schedules`): Celery beat's `beat_schedule` entry with either an
 * interval in seconds or a cron expression in a timezone.
 */
export interface PeriodicSchedule {
  /** Unique; also the BullMQ job scheduler id. */
  name: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  queue?: string;
  /** Seconds between runs; exclusive with `cron`. */
  every?: number;
  /** Five fields, or six with seconds first; exclusive with `every`. */
  cron?: string;
  /** IANA zone the cron is read in; UTC when unset. */
  timezone?: string;
}

/** Names BullMQ takes as scheduler ids (no `:`, it splits job ids on it). */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9_.@-]{1,200}$/;
/** Task and queue names as Celery allows them in practice. */
export const TASK_NAME_PATTERN = /^[A-Za-z0-9_.:@-]{1,255}$/;
/** BullMQ counts in milliseconds; finer intervals are not schedulable. */
const MIN_EVERY_SECONDS = 0.001;

/**
 * Checks what a type system cannot: the cron parses (in its timezone), the
 * timezone exists, exactly one of `every` / `cron` is set.
 * @throws InvalidScheduleError naming the field at fault
 */
export function assertValidSchedule(schedule: PeriodicSchedule): void {
  if (!SCHEDULE_NAME_PATTERN.test(schedule.name)) {
    throw new InvalidScheduleError(
      'name',
      'name must be 1 to 200 letters, digits or _ . @ - (no colon)',
    );
  }
  if (!TASK_NAME_PATTERN.test(schedule.task)) {
    throw new InvalidScheduleError(
      'task',
      'task must be a task name (letters, digits, _ . : @ -)',
    );
  }
  if (schedule.queue !== undefined && !TASK_NAME_PATTERN.test(schedule.queue)) {
    throw new InvalidScheduleError('queue', 'queue must be a queue name');
  }
  const hasEvery = schedule.every !== undefined;
  const hasCron = schedule.cron !== undefined;
  if (hasEvery === hasCron) {
    throw new InvalidScheduleError(
      hasEvery ? 'cron' : 'every',
      'exactly one of every (seconds) and cron must be given',
    );
  }
  if (schedule.timezone !== undefined) {
    if (!hasCron) {
      throw new InvalidScheduleError(
        'timezone',
        'timezone applies to a cron schedule only',
      );
    }
    assertTimezone(schedule.timezone);
  }
  if (hasEvery) {
    const every = schedule.every as number;
    if (!Number.isFinite(every) || every < MIN_EVERY_SECONDS) {
      throw new InvalidScheduleError(
        'every',
        'every must be a number of seconds, at least 0.001',
      );
    }
  } else {
    assertCron(schedule.cron as string, schedule.timezone);
  }
}

/** The interval BullMQ stores, in whole milliseconds. */
export function everyMilliseconds(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}

function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InvalidScheduleError(
      'timezone',
      `timezone "${timezone}" is not an IANA time zone such as Europe/Paris`,
    );
  }
}

function assertCron(cron: string, timezone: string | undefined): void {
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    throw new InvalidScheduleError(
      'cron',
      `cron "${cron}" must have 5 fields (minute hour day month weekday) or 6 with seconds first`,
    );
  }
  try {
    CronExpressionParser.parse(cron, { tz: timezone ?? 'UTC', strict: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidScheduleError(
      'cron',
      `cron "${cron}" is invalid: ${reason}`,
    );
  }
}
