import { exceptionRepr } from './exception-repr';

describe('exceptionRepr', () => {
  it("writes Python's repr of a stored exception", () => {
    expect(
      exceptionRepr({ exc_type: 'ValueError', exc_message: ['boom', 2] }),
    ).toBe("ValueError('boom', 2)");
    expect(exceptionRepr({ exc_type: 'KeyError', exc_message: [] })).toBe(
      'KeyError()',
    );
  });

  it('cuts long values in the safe form only, as Celery does', () => {
    const stored = { exc_type: 'ValueError', exc_message: ['x'.repeat(2000)] };

    expect(exceptionRepr(stored).length).toBeLessThan(1100);
    expect(exceptionRepr(stored, 'full')).toBe(
      `ValueError('${'x'.repeat(2000)}')`,
    );
  });

  it.each([[null], ['boom'], [{ exc_message: ['x'] }], [42]])(
    'is null for %j, which is not a stored exception',
    (result) => {
      expect(exceptionRepr(result)).toBeNull();
    },
  );
});
