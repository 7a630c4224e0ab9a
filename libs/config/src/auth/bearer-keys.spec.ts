import { BearerKeys, bearerTokenOf } from './bearer-keys';

describe(BearerKeys.name, () => {
  const sut = new BearerKeys(['first-key-0123456789', 'second-key==']);

  it('matches each configured key, by its index', () => {
    expect(sut.matches('first-key-0123456789')).toBe(true);
    expect(sut.matches('second-key==')).toBe(true);
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
    expect(sut.matches(presented)).toBe(false);
    expect(sut.match(presented)).toBeUndefined();
  });

  it('names each key by a fingerprint that is stable and does not contain it', () => {
    const again = new BearerKeys(['other-key', 'first-key-0123456789']);

    expect(sut.fingerprint(0)).toMatch(/^[0-9a-f]{16}$/);
    expect(sut.fingerprint(0)).toBe(again.fingerprint(1));
    expect(sut.fingerprint(0)).not.toBe(sut.fingerprint(1));
  });

  it('is enabled only when keys are configured', () => {
    expect(sut.enabled).toBe(true);
    expect(new BearerKeys([]).enabled).toBe(false);
    expect(new BearerKeys([]).matches('')).toBe(false);
  });
});

describe(bearerTokenOf.name, () => {
  it('reads the token, whatever the scheme case', () => {
    expect(bearerTokenOf('Bearer abc.DEF-1~+/==')).toBe('abc.DEF-1~+/==');
    expect(bearerTokenOf('bearer abc')).toBe('abc');
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer a b'],
    ['Basic YWRtaW46cw=='],
    ['Bearer a=b'],
  ])('finds no token in %j', (header) => {
    expect(bearerTokenOf(header)).toBeUndefined();
  });
});
