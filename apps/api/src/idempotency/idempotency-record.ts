/** A request with this key is running; `owner` tells its holder apart. */
export interface PendingRecord {
  state: 'pending';
  bodyHash: string;
  /** Random per request, so only the request that wrote it deletes it. */
  owner: string;
}

/** A request with this key finished: the answer to replay. */
export interface DoneRecord {
  state: 'done';
  bodyHash: string;
  status: number;
  body?: unknown;
}

export type IdempotencyRecord = PendingRecord | DoneRecord;

/**
 * Parses a stored record.
 *
 * @throws Error when the text is not a record this code wrote
 */
export function parseIdempotencyRecord(text: string): IdempotencyRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.bodyHash === 'string') {
      if (record.state === 'pending' && typeof record.owner === 'string') {
        return {
          state: 'pending',
          bodyHash: record.bodyHash,
          owner: record.owner,
        };
      }
      if (record.state === 'done' && Number.isInteger(record.status)) {
        return {
          state: 'done',
          bodyHash: record.bodyHash,
          status: record.status as number,
          body: record.body,
        };
      }
    }
  }
  throw new Error('Corrupt idempotency record');
}
