import type {
  ChordPart,
  ChordProgress,
  ChordRepository,
  ResultRepository,
  RevokedRepository,
  StoreResultExtra,
  StoredGroup,
} from '@celeriac/results';

/** One `storeResult` call, as the fake saw it. */
export interface StoredWrite {
  taskId: string;
  state: string;
  result: unknown;
  extra: StoreResultExtra;
}

/**
 * `ResultRepository` in memory: task states by id (a stored SUCCESS is never
 * overwritten, PENDING is set only where nothing is), groups, and every
 * write in order. `failWith` makes the next writes reject, as Redis down.
 */
export class FakeResults {
  readonly writes: StoredWrite[] = [];
  readonly states = new Map<string, StoredWrite>();
  readonly groups = new Map<string, string[]>();
  replicatedConfirms = 0;
  /** When set, storeResult and markManyPending reject with it. */
  failWith?: Error;

  storeResult(
    taskId: string,
    state: string,
    result: unknown,
    extra: StoreResultExtra = {},
  ): Promise<boolean> {
    if (this.failWith) {
      return Promise.reject(this.failWith);
    }
    const write = { taskId, state, result, extra };
    this.writes.push(write);
    if (this.states.get(taskId)?.state === 'SUCCESS') {
      return Promise.resolve(false);
    }
    this.states.set(taskId, write);
    return Promise.resolve(true);
  }

  /** The states written for one id, in order. */
  statesOf(taskId: string): string[] {
    return this.writes
      .filter((write) => write.taskId === taskId)
      .map(({ state }) => state);
  }

  stateOf(taskId: string): string | undefined {
    return this.states.get(taskId)?.state;
  }

  confirmReplicated(): Promise<void> {
    this.replicatedConfirms += 1;
    return Promise.resolve();
  }

  markManyPending(taskIds: readonly string[]): Promise<boolean[]> {
    if (this.failWith) {
      return Promise.reject(this.failWith);
    }
    return Promise.resolve(
      taskIds.map((taskId) => {
        if (this.states.has(taskId)) {
          return false;
        }
        this.states.set(taskId, {
          taskId,
          state: 'PENDING',
          result: null,
          extra: {},
        });
        return true;
      }),
    );
  }

  unmarkPending(taskIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (const taskId of taskIds) {
      if (this.states.get(taskId)?.state === 'PENDING') {
        this.states.delete(taskId);
        removed += 1;
      }
    }
    return Promise.resolve(removed);
  }

  saveGroup(groupId: string, childIds: readonly string[]): Promise<void> {
    this.groups.set(groupId, [...childIds]);
    return Promise.resolve();
  }

  getGroup(groupId: string): Promise<StoredGroup | null> {
    const childIds = this.groups.get(groupId);
    return Promise.resolve(childIds ? { groupId, childIds } : null);
  }

  deleteGroup(groupId: string): Promise<boolean> {
    return Promise.resolve(this.groups.delete(groupId));
  }
}

/** `ChordRepository` in memory: sizes and parts by group id. */
export class FakeChords {
  readonly sizes = new Map<string, number>();
  /** Per group: each part's member (`[1, id, state, result]`) and index. */
  readonly parts = new Map<string, Map<string, number | null>>();

  setSize(groupId: string, size: number): Promise<void> {
    this.sizes.set(groupId, size);
    return Promise.resolve();
  }

  addPart(
    groupId: string,
    groupIndex: number | null,
    member: string,
  ): Promise<ChordProgress> {
    const parts = this.parts.get(groupId) ?? new Map<string, number | null>();
    parts.set(member, groupIndex);
    this.parts.set(groupId, parts);
    return Promise.resolve({
      readyCount: parts.size,
      size: this.sizes.get(groupId) ?? null,
      added: 0,
    });
  }

  readParts(groupId: string): Promise<ChordPart[]> {
    const parts = [...(this.parts.get(groupId)?.entries() ?? [])];
    // In group-index order, parts without an index last (ZADD +inf).
    parts.sort(
      ([, a], [, b]) => (a ?? Number.MAX_VALUE) - (b ?? Number.MAX_VALUE),
    );
    return Promise.resolve(
      parts.map(([member]) => {
        const [, taskId, state, result] = JSON.parse(member) as [
          number,
          string,
          string,
          unknown,
        ];
        return { taskId, state, result };
      }),
    );
  }

  delete(groupId: string): Promise<void> {
    this.sizes.delete(groupId);
    this.parts.delete(groupId);
    return Promise.resolve();
  }
}

/** `RevokedRepository` in memory. */
export class FakeRevoked {
  readonly ids = new Set<string>();

  revoke(ids: string[]): Promise<void> {
    ids.forEach((id) => this.ids.add(id));
    return Promise.resolve();
  }

  load(): Promise<Set<string>> {
    return Promise.resolve(new Set(this.ids));
  }

  isRevoked(id: string): Promise<boolean> {
    return Promise.resolve(this.ids.has(id));
  }
}

export const asResults = (fake: FakeResults) =>
  fake as unknown as ResultRepository;
export const asChords = (fake: FakeChords) =>
  fake as unknown as ChordRepository;
export const asRevoked = (fake: FakeRevoked) =>
  fake as unknown as RevokedRepository;
