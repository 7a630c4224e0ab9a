import { parseIdempotencyRecord } from './idempotency-record';

describe(parseIdempotencyRecord.name, () => {
  it('reads a pending record', () => {
    const pending = { state: 'pending', bodyHash: 'h', owner: 'o' };

    expect(parseIdempotencyRecord(JSON.stringify(pending))).toEqual(pending);
  });

  it('reads a done record with its status and body', () => {
    const done = {
      state: 'done',
      bodyHash: 'h',
      status: 202,
      body: { task_id: 't' },
    };

    expect(parseIdempotencyRecord(JSON.stringify(done))).toEqual(done);
  });

  it.each([
    ['not JSON', 'OK'],
    ['not an object', '"done"'],
    ['an unknown state', '{"state":"running","bodyHash":"h"}'],
    ['no body hash', '{"state":"done","status":202}'],
    ['a pending record without owner', '{"state":"pending","bodyHash":"h"}'],
    ['a fractional status', '{"state":"done","bodyHash":"h","status":2.5}'],
  ])('refuses %s', (_, text) => {
    expect(() => parseIdempotencyRecord(text)).toThrow();
  });
});
