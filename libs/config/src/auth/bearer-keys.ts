import { createHash, timingSafeEqual } from 'node:crypto';

// Fixed-length digests: timingSafeEqual needs equal lengths, and comparing
// digests rather than keys keeps a key's length out of the timing too.
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Configured bearer keys (API_KEYS, MONITOR_API_KEYS), matched in constant
 * time. In a lib so every app shares one implementation (apps never import
 * from each other).
 */
export class BearerKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  /** Whether any key is configured, i.e. whether authentication is on. */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /**
   * The index of the configured key equal to `presented`, or undefined.
   * Every key is compared, so the time taken says nothing about which one
   * matched or how close a guess came.
   */
  match(presented: string): number | undefined {
    const candidate = digest(presented);
    let matched: number | undefined;
    this.digests.forEach((known, index) => {
      if (timingSafeEqual(candidate, known) && matched === undefined) {
        matched = index;
      }
    });
    return matched;
  }

  /** Whether `presented` is one of the keys (see `match`). */
  matches(presented: string): boolean {
    return this.match(presented) !== undefined;
  }

  /**
   * A name for the key at `index` that is the same on every replica and
   * across restarts, yet does not reveal the key: its digest's first 16 hex
   * digits. Rate limits count by it.
   */
  fingerprint(index: number): string {
    return this.digests[index].toString('hex').slice(0, 16);
  }
}

// RFC 6750 §2.1: the scheme is case-insensitive, the token a b64token.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** The token of `Authorization: Bearer <token>`, or undefined for anything else. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return BEARER.exec(header ?? '')?.[1];
}
