import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import {
  assignRequestId,
  isValidRequestId,
  requestIdOf,
  resolveRequestId,
} from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function exchange(headers: Record<string, string> = {}) {
  const request = new IncomingMessage(new Socket());
  request.headers = headers;
  return { request, response: new ServerResponse(request) };
}

describe(isValidRequestId.name, () => {
  it.each([
    ['a'],
    ['checkout-42'],
    ['0b6c7c1e-1f0a-4c59-8a0a-2f9a1f6d1c3e'],
    ['with inner space'],
    ['~!@#$%^&*()_+{}|:"<>?'],
    ['x'.repeat(128)],
  ])('keeps %j', (value) => {
    expect(isValidRequestId(value)).toBe(true);
  });

  it.each([
    [''],
    ['x'.repeat(129)],
    [' leading'],
    ['trailing '],
    ['tab\tinside'],
    ['line\nbreak'],
    ['nul\u0000'],
    ['ünïcode'],
    [undefined],
    [['a', 'b']],
    [42],
  ])('refuses %j', (value) => {
    expect(isValidRequestId(value)).toBe(false);
  });
});

describe(resolveRequestId.name, () => {
  it('keeps a valid id and replaces an invalid one with a UUID', () => {
    expect(resolveRequestId('abc-1')).toBe('abc-1');
    expect(resolveRequestId('bad\u0007id')).toMatch(UUID);
    expect(resolveRequestId(undefined)).toMatch(UUID);
  });
});

describe(assignRequestId.name, () => {
  it("echoes the client's id and keeps it on the request", () => {
    const { request, response } = exchange({ 'x-request-id': 'given-1' });
    expect(assignRequestId(request, response)).toBe('given-1');
    expect(requestIdOf(request)).toBe('given-1');
    expect(response.getHeader('X-Request-Id')).toBe('given-1');
  });

  it('generates an id once and returns it on every later call', () => {
    const { request, response } = exchange();
    const first = assignRequestId(request, response);
    expect(first).toMatch(UUID);
    expect(assignRequestId(request, response)).toBe(first);
    expect(response.getHeader('X-Request-Id')).toBe(first);
  });
});
