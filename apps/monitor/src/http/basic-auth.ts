import { timingSafeEqual } from 'node:crypto';

/** Paths a probe must reach without credentials. */
export function isOpenPath(path: string): boolean {
  return path === '/healthcheck' || path.startsWith('/health/');
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Whether an `Authorization` header carries these Basic credentials
 * (RFC 7617: base64 of `user:password`, the password may contain `:`).
 */
export function hasCredentials(
  header: string | undefined,
  credentials: { user: string; password: string },
): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) {
    return false;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) {
    return false;
  }
  // Both compared, always, so the time does not tell which one was wrong.
  const userOk = equal(decoded.slice(0, colon), credentials.user);
  const passwordOk = equal(decoded.slice(colon + 1), credentials.password);
  return userOk && passwordOk;
}
