import { createHash, timingSafeEqual } from 'node:crypto';

// Fixed-length digests: timingSafeEqual needs equal lengths, and comparing
// digests rather than keys keeps a key's length out of the timing too.
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Configured bearer keys (e.g. MONITOR_API_KEYS), matched in constant time.
 * The same matching as the api's ApiKeyMatcher, in a lib so every app can
 * use it (apps never import from each other).
 */
export class BearerKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  /** Whether any key is configured. */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /**
   * Whether `presented` is one of the keys. Every key is compared, so the
   * time taken says nothing about which one matched or how close a guess came.
   */
  matches(presented: string): boolean {
    const candidate = digest(presented);
    let matched = false;
    for (const known of this.digests) {
      matched = timingSafeEqual(candidate, known) || matched;
    }
    return matched;
  }
}

// RFC 6750 §2.1: the scheme is case-insensitive, the token a b64token.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** The token of `Authorization: Bearer <token>`, or undefined for anything else. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return BEARER.exec(header ?? '')?.[1];
}
