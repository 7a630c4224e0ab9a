import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Messages and Redis values captured from a real Python Celery, kept in the
 * steering repo's `shared/celery-wire/` (beside this repo's checkout; set
 * CELERIAC_SHARED_DIR to point elsewhere).
 */
export function wireFixturePath(name: string): string {
  const shared =
    process.env.CELERIAC_SHARED_DIR ?? resolve(process.cwd(), '..', 'shared');
  const path = resolve(shared, 'celery-wire', name);
  if (!existsSync(path)) {
    throw new Error(
      `Celery wire fixture ${name} not found at ${path}: set CELERIAC_SHARED_DIR to the folder holding celery-wire/.`,
    );
  }
  return path;
}

/** One captured AMQP message, as the capture script wrote it. */
export interface CapturedMessage {
  fields: {
    deliveryTag: number;
    redelivered: boolean;
    exchange: string;
    routingKey: string;
  };
  properties: {
    contentType: string;
    contentEncoding: string;
    headers: Record<string, unknown>;
    deliveryMode: number;
    priority?: number;
    correlationId: string;
    replyTo: string;
  };
  body_utf8: string;
  body_json: [unknown[], Record<string, unknown>, Record<string, unknown>];
}

/** A `msg-*.json` capture. */
export interface CapturedQueue {
  queue: string;
  captured_at: string;
  count: number;
  messages: CapturedMessage[];
}

/** Reads and parses a fixture file. */
export function readWireFixture<T>(name: string): T {
  return JSON.parse(readFileSync(wireFixturePath(name), 'utf8')) as T;
}

/** One Redis key as dumped from the real Celery setup (`redis-*.json`). */
export interface RedisDumpEntry {
  ttl: number;
  type: string;
  value: { json: unknown; raw: string };
}

/** Redis keys to values, as the `redis-*.json` dumps hold them. */
export type RedisDump = Record<string, RedisDumpEntry>;
