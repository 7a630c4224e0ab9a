import { createHash, timingSafeEqual } from 'node:crypto';

// Fixed-length digests: timingSafeEqual needs equal lengths, and comparing
// digests rather than keys keeps a key's length out of the timing too.
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The configured API keys, matched in constant time. */
export class ApiKeyMatcher {
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

  /**
   * A name for the key at `index` that is the same on every replica and
   * across restarts, yet does not reveal the key: its digest's first 16 hex
   * digits. The rate limit counts by it.
   */
  fingerprint(index: number): string {
    return this.digests[index].toString('hex').slice(0, 16);
  }
}
