import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Messages and Redis values captured from a real Python Celery, kept in
 * `test/fixtures/celery-wire/` (its README says how they were captured and
 * how to capture them again). Jest runs from the repository's root.
 */
export function wireFixturePath(name: string): string {
  const path = resolve(process.cwd(), 'test', 'fixtures', 'celery-wire', name);
  if (!existsSync(path)) {
    throw new Error(
      `Celery wire fixture ${name} not found at ${path}: run the tests from the repository's root.`,
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
