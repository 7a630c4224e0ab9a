import { ApiKeyMatcher } from './api-key-matcher';

describe(ApiKeyMatcher.name, () => {
  const sut = new ApiKeyMatcher(['first-key-0123456789', 'second-key==']);

  it('finds each configured key by its index', () => {
    expect(sut.match('first-key-0123456789')).toBe(0);
    expect(sut.match('second-key==')).toBe(1);
  });

  it.each([
    [''],
    ['first-key-012345678'],
    ['first-key-01234567890'],
    ['FIRST-KEY-0123456789'],
    ['second-key'],
    ['x'.repeat(10_000)],
  ])('refuses %j, whatever its length', (presented) => {
    expect(sut.match(presented)).toBeUndefined();
  });

  it('names each key by a fingerprint that is stable and does not contain it', () => {
    const again = new ApiKeyMatcher(['other-key', 'first-key-0123456789']);

    expect(sut.fingerprint(0)).toMatch(/^[0-9a-f]{16}$/);
    expect(sut.fingerprint(0)).toBe(again.fingerprint(1));
    expect(sut.fingerprint(0)).not.toBe(sut.fingerprint(1));
  });

  it('is enabled only when keys are configured', () => {
    expect(sut.enabled).toBe(true);
    expect(new ApiKeyMatcher([]).enabled).toBe(false);
    expect(new ApiKeyMatcher([]).match('')).toBeUndefined();
  });
});
