import { RetryRequest } from '@celeriac/tasks';
import type { SerializedError } from './pool-messages';

/**
 * A pool child died while it ran a task (Celery's billiard
 * `WorkerLostError`): redelivered when the task acks late, else its FAILURE.
 */
export class WorkerLostError extends Error {
  readonly excModule = 'billiard.exceptions';
  readonly excType = 'WorkerLostError';
  readonly excMessage: unknown[];

  constructor(exit: { code: number | null; signal: string | null }) {
    const how =
      exit.signal !== null
        ? `signal ${signalNumber(exit.signal)} (${exit.signal})`
        : `exitcode ${exit.code ?? 'unknown'}`;
    super(`Worker exited prematurely: ${how} Job: 0.`);
    this.name = 'WorkerLostError';
    this.excMessage = [this.message];
    Object.setPrototypeOf(this, WorkerLostError.prototype);
  }
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGTERM: 15,
};

function signalNumber(signal: string): number | string {
  return SIGNALS[signal] ?? signal;
}

/** An error (or anything thrown) as plain data for the other side. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof RetryRequest) {
    return {
      name: error.name,
      message: error.message,
      retry: {
        ...(error.countdown === undefined
          ? {}
          : { countdown: error.countdown }),
        ...(error.cause === undefined
          ? {}
          : { cause: serializeError(error.cause) }),
      },
    };
  }
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', message: String(error) };
  }
  const fields = error as Record<string, unknown>;
  const serialized: SerializedError = {
    name: typeof fields.name === 'string' ? fields.name : 'Error',
    message:
      typeof fields.message === 'string'
        ? fields.message
        : Object.prototype.toString.call(error),
  };
  if (typeof fields.stack === 'string') {
    serialized.stack = fields.stack;
  }
  if (typeof fields.excType === 'string') {
    serialized.excType = fields.excType;
    serialized.excModule =
      typeof fields.excModule === 'string' ? fields.excModule : 'builtins';
    serialized.excMessage = Array.isArray(fields.excMessage)
      ? (fields.excMessage as unknown[])
      : [fields.excMessage];
  }
  return serialized;
}

/**
 * The error back as an Error the worker's settlement reads as it reads the
 * original: same name and stack, Celery's exception fields, a RetryRequest
 * as a RetryRequest.
 */
export function deserializeError(serialized: SerializedError): Error {
  if (serialized.retry) {
    const { countdown, cause } = serialized.retry;
    return new RetryRequest(
      countdown,
      cause === undefined ? undefined : deserializeError(cause),
    );
  }
  const error = new Error(serialized.message) as Error & {
    excType?: string;
    excModule?: string;
    excMessage?: unknown[];
  };
  error.name = serialized.name;
  if (serialized.stack !== undefined) {
    error.stack = serialized.stack;
  }
  if (serialized.excType !== undefined) {
    error.excType = serialized.excType;
    error.excModule = serialized.excModule;
    error.excMessage = serialized.excMessage;
  }
  return error;
}
