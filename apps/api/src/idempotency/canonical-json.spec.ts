import { createHash } from 'node:crypto';
import { canonicalJson, requestBodyHash } from './canonical-json';

describe(canonicalJson.name, () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('writes the same text for bodies that differ only in key order', () => {
    const first = JSON.parse('{"task": "add_task", "args": [1, 2]}');
    const second = JSON.parse('{"args":[1,2],"task":"add_task"}');

    expect(canonicalJson(first)).toBe(canonicalJson(second));
  });

  it('keeps array order significant', () => {
    expect(canonicalJson({ args: [1, 2] })).not.toBe(
      canonicalJson({ args: [2, 1] }),
    );
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });

  it('drops undefined members as JSON does, and writes null in arrays', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('writes a missing body as null', () => {
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes a Date through its toJSON', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z"}',
    );
  });
});

describe(requestBodyHash.name, () => {
  it('is the SHA-256 hex of the canonical JSON', () => {
    expect(requestBodyHash({ b: 2, a: 1 })).toBe(
      createHash('sha256').update('{"a":1,"b":2}').digest('hex'),
    );
  });

  it('tells different bodies apart', () => {
    expect(requestBodyHash({ a: 1 })).not.toBe(requestBodyHash({ a: '1' }));
  });
});
