import { jest } from '@jest/globals';
import {
  type RedisDump,
  readWireFixture,
} from '../../../test/utils/wire-fixtures';

const REDIS_AFTER_WORKER = readWireFixture<RedisDump>(
  'redis-after-worker.json',
);
import { celeryDateNow, formatCeleryDate, toExceptionInfo } from './task-meta';

class PythonError extends Error {
  constructor(
    readonly excType: string,
    readonly excModule: string,
    readonly excMessage: unknown,
  ) {
    super(String(excMessage));
  }
}

describe('toExceptionInfo', () => {
  it('names a plain Error Exception', () => {
    expect(toExceptionInfo(new Error('boom'))).toEqual({
      exc_type: 'Exception',
      exc_message: ['boom'],
      exc_module: 'builtins',
    });
  });

  it.each([
    [new TypeError('bad type'), 'TypeError', 'bad type'],
    [new RangeError('out of range'), 'RangeError', 'out of range'],
  ])('keeps the JS built-in name of %p', (error, type, message) => {
    expect(toExceptionInfo(error)).toEqual({
      exc_type: type,
      exc_message: [message],
      exc_module: 'builtins',
    });
  });

  it('keeps the fields of an error decoded from Python', () => {
    const error = new PythonError('ZeroDivisionError', 'builtins', [
      'division by zero',
    ]);
    expect(toExceptionInfo(error)).toEqual({
      exc_type: 'ZeroDivisionError',
      exc_message: ['division by zero'],
      exc_module: 'builtins',
    });
  });

  it('wraps a non-list Python message in a list', () => {
    const error = new PythonError(
      'TaskRevokedError',
      'celery.exceptions',
      'revoked',
    );
    expect(toExceptionInfo(error).exc_message).toEqual(['revoked']);
  });

  it('encodes a thrown non-error as Exception', () => {
    expect(toExceptionInfo('just a string')).toEqual({
      exc_type: 'Exception',
      exc_message: ['just a string'],
      exc_module: 'builtins',
    });
  });
});

describe('celeryDateNow', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('formats the current time, and follows the clock', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 10, 23, 23, 8, 21, 487) });
    expect(celeryDateNow()).toBe('2026-11-23T23:08:21.487000');
    expect(celeryDateNow()).toBe('2026-11-23T23:08:21.487000');
    jest.setSystemTime(Date.UTC(2026, 10, 23, 23, 8, 21, 488));
    expect(celeryDateNow()).toBe('2026-11-23T23:08:21.488000');
  });
});

describe('formatCeleryDate', () => {
  it('writes six fraction digits and no zone', () => {
    const date = new Date(Date.UTC(2026, 10, 23, 23, 8, 21, 487));
    expect(formatCeleryDate(date)).toBe('2026-11-23T23:08:21.487000');
  });

  it('pads small fields with zeros', () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(formatCeleryDate(date)).toBe('2026-01-02T03:04:05.006000');
  });

  it('has the shape of the date_done Celery wrote', () => {
    const shapeOf = (text: string): string => text.replace(/\d/g, '9');
    const celeryDates = Object.values(REDIS_AFTER_WORKER)
      .map((entry) => entry.value.json)
      .filter(
        (json): json is { date_done: string } =>
          typeof (json as { date_done?: unknown }).date_done === 'string',
      )
      .map((json) => json.date_done);
    expect(celeryDates.length).toBeGreaterThan(0);
    for (const celeryDate of celeryDates) {
      expect(shapeOf(formatCeleryDate(new Date()))).toBe(shapeOf(celeryDate));
    }
  });

  it('throws on an invalid date', () => {
    expect(() => formatCeleryDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});
