import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { InvalidScheduleError } from './errors/invalid-schedule.error';
import { ScheduleFileError } from './errors/schedule-file.error';
import {
  assertValidSchedule,
  type PeriodicSchedule,
} from './periodic-schedule';

const ENTRY_KEYS = new Set([
  'name',
  'task',
  'args',
  'kwargs',
  'queue',
  'every',
  'cron',
  'timezone',
]);

/**
 * Reads BEAT_SCHEDULE_FILE (see {@link parseScheduleFile}).
 * @throws ScheduleFileError with one sentence naming the file and the entry
 */
export async function loadScheduleFile(
  path: string,
): Promise<PeriodicSchedule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScheduleFileError(
      `BEAT_SCHEDULE_FILE ${path} cannot be read: ${reason}`,
    );
  }
  return parseScheduleFile(text, path);
}

/**
 * Parses a schedule file, JSON or YAML (YAML reads JSON too): either a list
 * of entries with a `name`, or a mapping of name to entry as Celery's
 * `beat_schedule` is. An entry has `task`, optional `args`, `kwargs`,
 * `queue`, and `every` (seconds) or `cron` with an optional `timezone`.
 *
 * @example
 * ```yaml
 * cleanup:
 *   task: add_task
 *   args: [1, 2]
 *   cron: "0 3 * * *"
 *   timezone: Europe/Paris
 * ```
 * @throws ScheduleFileError with one sentence naming the file and the entry
 */
export function parseScheduleFile(
  text: string,
  source: string,
): PeriodicSchedule[] {
  if (text.trim() === '') {
    return [];
  }
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : '';
    throw new ScheduleFileError(
      `BEAT_SCHEDULE_FILE ${source} is neither valid JSON nor YAML: ${reason}`,
    );
  }
  if (document === undefined || document === null) {
    return [];
  }
  const entries: [string | undefined, unknown][] = Array.isArray(document)
    ? document.map((entry) => [undefined, entry])
    : isRecord(document)
      ? Object.entries(document)
      : [];
  if (!Array.isArray(document) && !isRecord(document)) {
    throw new ScheduleFileError(
      `BEAT_SCHEDULE_FILE ${source} must hold a list of schedules or a mapping of name to schedule.`,
    );
  }
  const names = new Set<string>();
  return entries.map(([key, raw], index) => {
    const schedule = toSchedule(key, raw, `${source}`, index);
    if (names.has(schedule.name)) {
      throw new ScheduleFileError(
        `BEAT_SCHEDULE_FILE ${source}: entry "${schedule.name}" (#${index + 1}) repeats a name used earlier.`,
      );
    }
    names.add(schedule.name);
    return schedule;
  });
}

function toSchedule(
  key: string | undefined,
  raw: unknown,
  source: string,
  index: number,
): PeriodicSchedule {
  const label = (name: unknown) =>
    typeof name === 'string' ? `"${name}" (#${index + 1})` : `#${index + 1}`;
  const fail = (name: unknown, reason: string): never => {
    throw new ScheduleFileError(
      `BEAT_SCHEDULE_FILE ${source}: entry ${label(name)}: ${reason}.`,
    );
  };
  if (!isRecord(raw)) {
    return fail(key, 'must be a mapping with task and every or cron');
  }
  const name = key ?? raw.name;
  if (key !== undefined && raw.name !== undefined && raw.name !== key) {
    fail(key, `its name ${JSON.stringify(raw.name)} differs from its key`);
  }
  const unknown = Object.keys(raw).filter((field) => !ENTRY_KEYS.has(field));
  if (unknown.length > 0) {
    fail(name, `unknown field ${unknown.join(', ')}`);
  }
  if (typeof name !== 'string') {
    fail(name, 'name must be a string');
  }
  if (typeof raw.task !== 'string') {
    fail(name, 'task must be a string');
  }
  if (raw.args !== undefined && !Array.isArray(raw.args)) {
    fail(name, 'args must be a list');
  }
  if (raw.kwargs !== undefined && !isRecord(raw.kwargs)) {
    fail(name, 'kwargs must be a mapping');
  }
  for (const field of ['queue', 'cron', 'timezone'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'string') {
      fail(name, `${field} must be a string`);
    }
  }
  if (raw.every !== undefined && typeof raw.every !== 'number') {
    fail(name, 'every must be a number of seconds');
  }
  const schedule: PeriodicSchedule = {
    name: name as string,
    task: raw.task as string,
    args: (raw.args as unknown[] | undefined) ?? [],
    kwargs: (raw.kwargs as Record<string, unknown> | undefined) ?? {},
    ...(raw.queue === undefined ? {} : { queue: raw.queue as string }),
    ...(raw.every === undefined ? {} : { every: raw.every as number }),
    ...(raw.cron === undefined ? {} : { cron: raw.cron as string }),
    ...(raw.timezone === undefined ? {} : { timezone: raw.timezone as string }),
  };
  try {
    assertValidSchedule(schedule);
  } catch (error) {
    if (error instanceof InvalidScheduleError) {
      fail(name, error.message);
    }
    throw error;
  }
  return schedule;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
