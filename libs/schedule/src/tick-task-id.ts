import { createHash } from 'node:crypto';

// A fixed namespace for celeriac's periodic ticks (RFC 9562 name-based ids).
const TICK_NAMESPACE = Buffer.from('6f1c2a9e4b7d4c0a9e3f51d27b8a6c10', 'hex');

/**
 * The task id of one tick of a periodic schedule: a UUID v5 of the schedule
 * name and the tick's due time. Deterministic on purpose: if beat publishes
 * a tick, loses the broker's confirm and BullMQ retries the job, the retry
 * publishes the same id again, so one tick can never become two different
 * tasks (the worst case is a redelivery of the same task, which acks-late
 * workers already tolerate).
 */
export function tickTaskId(scheduleName: string, tickMillis: number): string {
  const hash = createHash('sha1')
    .update(TICK_NAMESPACE)
    .update(`${scheduleName}@${tickMillis}`, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
