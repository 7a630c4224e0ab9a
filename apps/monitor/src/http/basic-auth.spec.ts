import { hasCredentials, isOpenPath } from './basic-auth';

const credentials = { user: 'admin', password: 'a:b' };
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('hasCredentials', () => {
  it('accepts the user and a password that contains a colon', () => {
    expect(hasCredentials(basic('admin:a:b'), credentials)).toBe(true);
    expect(
      hasCredentials(basic('admin:a:b').replace('Basic', 'basic'), credentials),
    ).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['a wrong password', basic('admin:a')],
    ['a wrong user', basic('Admin:a:b')],
    ['no colon', basic('admin')],
    ['a bearer token', 'Bearer abc'],
  ])('refuses %s', (_, header) => {
    expect(hasCredentials(header, credentials)).toBe(false);
  });
});

describe('isOpenPath', () => {
  it('opens only the probes', () => {
    expect(isOpenPath('/health/ready')).toBe(true);
    expect(isOpenPath('/healthcheck')).toBe(true);
    expect(isOpenPath('/healthz')).toBe(false);
    expect(isOpenPath('/api/tasks')).toBe(false);
  });
});
