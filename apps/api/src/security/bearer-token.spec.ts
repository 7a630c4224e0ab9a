import { bearerChallenge, parseBearer } from './bearer-token';

describe(parseBearer.name, () => {
  it.each([[undefined], [''], ['   ']])('reads %j as missing', (header) => {
    expect(parseBearer(header)).toEqual({ kind: 'missing' });
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER  a.b-c_d~e+f/g==', 'a.b-c_d~e+f/g=='],
  ])('reads %j as the token %j', (header, token) => {
    expect(parseBearer(header)).toEqual({ kind: 'token', token });
  });

  it.each([
    ['abc'],
    ['Bearer'],
    ['Bearer '],
    ['Basic dXNlcjpwYXNz'],
    ['Bearer two tokens'],
    ['Bearer a=b'],
    ['Bearer ünï'],
    ['Bearerabc'],
  ])('reads %j as malformed', (header) => {
    expect(parseBearer(header)).toEqual({ kind: 'malformed' });
  });
});

describe(bearerChallenge.name, () => {
  it('names the error only when credentials were sent (RFC 6750 §3.1)', () => {
    expect(bearerChallenge('missing')).toBe('Bearer realm="celeriac"');
    expect(bearerChallenge('malformed')).toContain('error="invalid_request"');
  });
});
