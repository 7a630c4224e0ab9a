/** More processes than this buy nothing on one host: the broker and Redis are the limit by then. */
export const MAX_AUTO_PROCESSES = 8;

/** What API_PROCESSES may say, besides `auto`: an explicit count up to this. */
export const MAX_PROCESSES = 64;

/** API_PROCESSES is neither `auto` nor a whole number from 1 to MAX_PROCESSES. */
export class ApiProcessesError extends Error {
  constructor(value: string) {
    super(
      `API_PROCESSES must be auto or a whole number from 1 to ${MAX_PROCESSES}, not "${value}"`,
    );
  }
}

/**
 * How many api processes serve the port: API_PROCESSES as a count (unset:
 * 1), or for `auto` one per CPU the process may use, at most
 * MAX_AUTO_PROCESSES. 1 is a plain single process without a cluster primary.
 * One is the default because on a small host the broker and Redis share the
 * CPUs: on 2 cores, 2 processes answered fewer requests than 1 (issue 16).
 */
export function apiProcesses(
  value: string | undefined,
  availableParallelism: number,
): number {
  const text = value?.trim() ?? '';
  if (text === '') {
    return 1;
  }
  if (text.toLowerCase() === 'auto') {
    return Math.max(1, Math.min(availableParallelism, MAX_AUTO_PROCESSES));
  }
  if (!/^\d+$/.test(text)) {
    throw new ApiProcessesError(text);
  }
  const count = Number(text);
  if (count < 1 || count > MAX_PROCESSES) {
    throw new ApiProcessesError(text);
  }
  return count;
}
