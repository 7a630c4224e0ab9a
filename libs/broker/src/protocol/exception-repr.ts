import { pyRepr, saferepr } from './py-repr';

/** Celery's stored exception: `{"exc_type": "ValueError", "exc_message": ["boom"]}`. */
export interface StoredException {
  exc_type: string;
  exc_message: unknown[];
}

/**
 * Python's repr of a stored exception, `ValueError('boom')`, the one way every
 * app writes it. Events and Flower's task fields use saferepr (long values
 * cut, as Celery's events do); a ChordError's text uses the full repr, as
 * Python's `{!r}` does. Null when `result` is not a stored exception.
 */
export function exceptionRepr(
  result: StoredException,
  form?: 'safe' | 'full',
): string;
export function exceptionRepr(
  result: unknown,
  form?: 'safe' | 'full',
): string | null;
export function exceptionRepr(
  result: unknown,
  form: 'safe' | 'full' = 'safe',
): string | null {
  if (typeof result !== 'object' || result === null) {
    return null;
  }
  const { exc_type, exc_message } = result as Partial<StoredException>;
  if (typeof exc_type !== 'string') {
    return null;
  }
  const parts = Array.isArray(exc_message) ? exc_message : [exc_message];
  const repr = form === 'full' ? pyRepr : saferepr;
  return `${exc_type}(${parts.map((part) => repr(part)).join(', ')})`;
}
