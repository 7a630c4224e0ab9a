/** The request header carrying the client's key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set on an answer that repeats a stored one instead of running the handler. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Prefix of the Redis keys holding the records. */
export const IDEMPOTENCY_KEY_PREFIX = 'celeriac-idempotency:';

/** How long a completed request answers for its key. */
export const DONE_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a request in flight holds its key: short, so a process that
 * crashed mid-request does not lock the key for a day.
 */
export const PENDING_TTL_SECONDS = 60;

/** Longest key accepted, as the IETF Idempotency-Key draft's examples allow. */
export const MAX_KEY_LENGTH = 255;
