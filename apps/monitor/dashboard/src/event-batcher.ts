/**
 * Collects items that arrive one by one (SSE events) and hands them over
 * together once per animation frame, so a burst of 1 000 events costs one
 * store merge and one repaint, not 1 000. Items with the same key
 * coalesce (by default the last one wins), so a hidden tab, where frames
 * do not run, holds one pending item per key, not a growing backlog.
 */
export class EventBatcher<T> {
  private pending = new Map<string, T>();
  private scheduled = false;

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly flush: (items: T[]) => void,
    private readonly schedule: (run: () => void) => void,
    private readonly combine: (earlier: T, later: T) => T = (_, later) => later,
  ) {}

  push(item: T): void {
    const key = this.keyOf(item);
    const earlier = this.pending.get(key);
    this.pending.set(
      key,
      earlier === undefined ? item : this.combine(earlier, item),
    );
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const items = [...this.pending.values()];
    this.pending = new Map();
    if (items.length > 0) {
      this.flush(items);
    }
  }
}
