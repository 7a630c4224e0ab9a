import { createHash } from 'node:crypto';
import { callerScope, idempotencyRecordKey } from './idempotency-scope';

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

describe(callerScope.name, () => {
  it('is the SHA-256 of the Authorization header, never the header', () => {
    const authorization = 'Bearer s3cret';

    const scope = callerScope(authorization);

    expect(scope).toBe(sha256(authorization));
    expect(scope).not.toContain('s3cret');
  });

  it('is empty without an Authorization header', () => {
    expect(callerScope(undefined)).toBe('');
    expect(callerScope('')).toBe('');
  });
});

describe(idempotencyRecordKey.name, () => {
  const scope = { caller: '', method: 'POST', path: '/v1/tasks' };

  it('is the prefix and a SHA-256 hex digest', () => {
    expect(idempotencyRecordKey(scope, 'k')).toMatch(
      /^celeriac-idempotency:[0-9a-f]{64}$/,
    );
  });

  it('is stable for the same caller, route and key', () => {
    expect(idempotencyRecordKey(scope, 'k')).toBe(
      idempotencyRecordKey({ ...scope, method: 'post' }, 'k'),
    );
  });

  it.each([
    ['key', { ...scope }, 'other'],
    ['caller', { ...scope, caller: callerScope('Bearer a') }, 'k'],
    ['method', { ...scope, method: 'PUT' }, 'k'],
    ['path', { ...scope, path: '/v1/workflows' }, 'k'],
  ])('differs with the %s', (_, other, key) => {
    expect(idempotencyRecordKey(other, key)).not.toBe(
      idempotencyRecordKey(scope, 'k'),
    );
  });

  it('cannot be forged by moving text between the parts', () => {
    expect(
      idempotencyRecordKey({ ...scope, path: '/v1/tasks/a' }, 'b'),
    ).not.toBe(idempotencyRecordKey({ ...scope, path: '/v1/tasks' }, '/ab'));
    expect(
      idempotencyRecordKey({ ...scope, path: '/v1/tasks' }, 'a","b'),
    ).not.toBe(idempotencyRecordKey({ ...scope, path: '/v1/tasks","a' }, 'b'));
  });
});
