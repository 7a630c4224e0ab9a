import { HttpException, HttpStatus } from '@nestjs/common';

/** A dependency's state in a failed readiness check, without its message. */
export interface DependencyCheck {
  status: string;
}

/** What a failed readiness check tells the caller. */
export interface NotReady {
  detail: string;
  checks: Record<string, DependencyCheck>;
}

/**
 * Reads Terminus's 503 (a health check result with `status: 'error'`): the
 * detail names the dependencies that are down, `checks` has each one's status.
 * Their messages (hosts, ports) stay in the log, as for any 5xx. Any other
 * exception: undefined.
 */
export function notReadyOf(exception: HttpException): NotReady | undefined {
  if (exception.getStatus() !== Number(HttpStatus.SERVICE_UNAVAILABLE)) {
    return undefined;
  }
  const body: unknown = exception.getResponse();
  if (!isRecord(body) || body.status !== 'error' || !isRecord(body.details)) {
    return undefined;
  }
  const checks: Record<string, DependencyCheck> = {};
  for (const [name, indicator] of Object.entries(body.details)) {
    checks[name] = {
      status:
        isRecord(indicator) && typeof indicator.status === 'string'
          ? indicator.status
          : 'down',
    };
  }
  const down = Object.keys(checks).filter(
    (name) => checks[name].status !== 'up',
  );
  const detail =
    down.length === 0
      ? 'Not ready.'
      : `Not ready: ${down.join(' and ')} ${down.length === 1 ? 'is' : 'are'} down.`;
  return { detail, checks };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
