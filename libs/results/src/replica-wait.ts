import type { Redis } from 'ioredis';
import { ResultBackendUnavailableError } from './errors/result-backend-unavailable.error';

/** How many replicas must hold a task's writes before its message is acked, and how long to wait for them. */
export interface ReplicaWait {
  /** Replicas that must acknowledge (Redis `WAIT numreplicas`); at least 1. */
  replicas: number;
  /** Milliseconds to wait for them (Redis `WAIT … timeout`); at least 1. */
  timeoutMs: number;
}

/**
 * Parses RESULT_BACKEND_WAIT_REPLICAS and RESULT_BACKEND_WAIT_TIMEOUT_MS:
 * undefined (no wait) when no replica is asked for.
 */
export function replicaWaitOf(
  replicas: number,
  timeoutMs: number,
): ReplicaWait | undefined {
  return replicas > 0 ? { replicas, timeoutMs } : undefined;
}

/**
 * Redis `WAIT` on `redis`'s connection: resolves once `wait.replicas`
 * replicas have acknowledged every write this connection made so far, so a
 * failover to one of them keeps those writes. One connection carries all of
 * a worker's result writes, so the WAIT after a task's last write covers
 * them all (and those of tasks before it).
 *
 * @throws ResultBackendUnavailableError when fewer replicas acknowledged in
 *   time: the caller must not ack, and the task runs again later
 */
export async function waitForReplicas(
  redis: Redis,
  wait: ReplicaWait,
): Promise<void> {
  const acknowledged = await redis.wait(wait.replicas, wait.timeoutMs);
  if (acknowledged < wait.replicas) {
    throw new ResultBackendUnavailableError(
      `${acknowledged} of ${wait.replicas} Redis replicas acknowledged the result within ${wait.timeoutMs} ms`,
    );
  }
}
