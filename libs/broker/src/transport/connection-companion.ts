import type { AmqpConnectionManager } from 'amqp-connection-manager';

/**
 * What a worker node runs on its consumer's broker connection besides the
 * task consumers (Celery's consumer bootsteps: the pidbox, the event
 * dispatcher, the heartbeat). `CeleryServer` starts each, in order, once
 * connected, and stops them around its warm shutdown.
 */
export interface ConnectionCompanion {
  /** Once the connection is up; a rejection fails the server's start. */
  start(connection: AmqpConnectionManager): Promise<void>;
  /**
   * Warm shutdown begins, before the task consumers are cancelled: stop
   * taking requests (a rejection is ignored).
   */
  stopIntake?(): Promise<void>;
  /** Running tasks finished or were given back: last words; in reverse order. */
  stop?(): Promise<void>;
}
