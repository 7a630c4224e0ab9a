/** Celery's inspect aliases (`dump_active`, ...) and the names they stand for. */
export const ALIASES: Record<string, string> = {
  dump_active: 'active',
  dump_reserved: 'reserved',
  dump_schedule: 'scheduled',
  dump_revoked: 'revoked',
  dump_tasks: 'registered',
  dump_conf: 'conf',
};

export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    return value.split(',').filter((item) => item !== '');
  }
  if (
    Array.isArray(value) &&
    value.every((item): item is string => typeof item === 'string')
  ) {
    return value;
  }
  return undefined;
}

export function optionalSeconds(value: unknown): number | null | undefined {
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? value
    : undefined;
}
