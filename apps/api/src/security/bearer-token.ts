/** What an `Authorization` header holds, for a Bearer-only api. */
export type BearerCredentials =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'token'; token: string };

// RFC 6750 §2.1: the scheme is case-insensitive, the token a b64token.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** Reads `Authorization: Bearer <token>`; any other shape is malformed. */
export function parseBearer(header: string | undefined): BearerCredentials {
  if (header === undefined || header.trim() === '') {
    return { kind: 'missing' };
  }
  const match = BEARER.exec(header);
  return match ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3). */
export function bearerChallenge(kind: 'missing' | 'malformed'): string {
  return kind === 'missing'
    ? 'Bearer realm="celeriac"'
    : 'Bearer realm="celeriac", error="invalid_request"';
}
