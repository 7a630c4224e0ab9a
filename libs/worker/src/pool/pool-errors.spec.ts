import { toExceptionInfo } from '@celeriac/results';
import { RetryRequest, TimeLimitExceeded } from '@celeriac/tasks';
import {
  deserializeError,
  serializeError,
  WorkerLostError,
} from './pool-errors';

/** What a pool child's error looks like once it is back in the worker. */
const roundTrip = (error: unknown) =>
  deserializeError(structuredClone(serializeError(error)));

describe('errors crossing the pool boundary', () => {
  it("keeps a JS error's name, message and stack", () => {
    const original = new TypeError('bad operand');
    const back = roundTrip(original);
    expect(back.name).toBe('TypeError');
    expect(back.message).toBe('bad operand');
    expect(back.stack).toBe(original.stack);
    expect(toExceptionInfo(back)).toEqual(toExceptionInfo(original));
  });

  it("keeps Celery's exception fields (TimeLimitExceeded)", () => {
    expect(toExceptionInfo(roundTrip(new TimeLimitExceeded(2)))).toEqual({
      exc_type: 'TimeLimitExceeded',
      exc_message: [2],
      exc_module: 'celery.exceptions',
    });
  });

  it('brings request.retry() back as a RetryRequest with its countdown and cause', () => {
    const back = roundTrip(new RetryRequest(5, new RangeError('later')));
    expect(back).toBeInstanceOf(RetryRequest);
    const retry = back as RetryRequest;
    expect(retry.countdown).toBe(5);
    expect(toExceptionInfo(retry.cause)).toEqual({
      exc_type: 'RangeError',
      exc_message: ['later'],
      exc_module: 'builtins',
    });
  });

  it('turns a thrown non-error into an Error saying what it was', () => {
    expect(roundTrip('boom').message).toBe('boom');
    expect(roundTrip({ code: 1 }).message).toBe('[object Object]');
  });
});

describe(WorkerLostError.name, () => {
  it('words a killed child as billiard does', () => {
    expect(
      toExceptionInfo(new WorkerLostError({ code: null, signal: 'SIGKILL' })),
    ).toEqual({
      exc_type: 'WorkerLostError',
      exc_message: ['Worker exited prematurely: signal 9 (SIGKILL) Job: 0.'],
      exc_module: 'billiard.exceptions',
    });
  });

  it('words an exit code as billiard does', () => {
    expect(new WorkerLostError({ code: 1, signal: null }).message).toBe(
      'Worker exited prematurely: exitcode 1 Job: 0.',
    );
  });
});
