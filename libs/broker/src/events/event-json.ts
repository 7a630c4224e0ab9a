/**
 * The keys a task event's own fields must not have: its `uuid` and the
 * stamp every event gets (celery-protocol.md §D.2).
 */
const STAMPED_KEYS = [
  'uuid',
  'type',
  'hostname',
  'timestamp',
  'utcoffset',
  'pid',
  'clock',
] as const;

// How long one reading of the UTC offset is used: a DST change shows within it.
const UTC_OFFSET_TTL_MS = 60_000;

/**
 * Writes the JSON of a node's task events as one string, the bytes
 * `JSON.stringify(buildEventBody(type, { uuid, ...fields }, stamp))` gives,
 * without building the body object: a worker with task events on sends
 * three per task, and the spread of each into a new object (a new shape
 * per event type) and its stringify were most of an event's cost. What is
 * the same for every event of the node (hostname, pid) is encoded once,
 * and the UTC offset read once a minute.
 */
export class TaskEventJson {
  private readonly hostnameJson: string;
  private readonly stampTail: string;
  private utcOffset = 0;
  private utcOffsetUntil = -Infinity;

  /**
   * @param hostname - the node name stamped on every event
   * @param pid - the process id stamped on every event
   * @param utcOffsetAt - Python's `utcoffset()` at a time (epoch ms)
   */
  constructor(
    hostname: string,
    pid: number,
    private readonly utcOffsetAt: (now: number) => number,
  ) {
    this.hostnameJson = JSON.stringify(hostname);
    this.stampTail = `,"pid":${pid},"clock":`;
  }

  /**
   * The event's JSON, or undefined when `fields` has a key of the stamp or
   * `uuid` (the caller then builds the body the general way, where the
   * stamp wins).
   */
  encode(
    type: string,
    uuid: string,
    fields: Record<string, unknown> | undefined,
    clock: number,
    now: number,
  ): string | undefined {
    let own = '';
    if (fields) {
      for (const key of STAMPED_KEYS) {
        if (key in fields) {
          return undefined;
        }
      }
      const json = JSON.stringify(fields);
      // '{}' when every field is undefined: nothing to add.
      own = json.length > 2 ? `,${json.slice(1, -1)}` : '';
    }
    if (now >= this.utcOffsetUntil) {
      this.utcOffset = this.utcOffsetAt(now);
      this.utcOffsetUntil = now + UTC_OFFSET_TTL_MS;
    }
    return (
      `{"uuid":${JSON.stringify(uuid)}${own},"type":${JSON.stringify(type)}` +
      `,"hostname":${this.hostnameJson},"timestamp":${now / 1000}` +
      `,"utcoffset":${this.utcOffset}${this.stampTail}${clock}}`
    );
  }
}
