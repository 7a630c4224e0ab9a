import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  readWireFixture,
  type RedisDump,
} from '../../../test/utils/wire-fixtures';
import { ChordRepository } from './chord.repository';
import { chordJoinKey, chordSizeKey } from './result-keys';

const midflight = readWireFixture<RedisDump>('redis-chord-midflight.json');

describe(ChordRepository.name, () => {
  const prefix = `test-${randomUUID()}:`;
  let redis: Redis;
  let sut: ChordRepository;

  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379 });
    sut = new ChordRepository(redis, { expiresSeconds: 60, keyPrefix: prefix });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('reports the chord complete only on the part that fills it', async () => {
    const groupId = randomUUID();
    await sut.setSize(groupId, 2);
    const first = await sut.addPart(groupId, 1, '[1, "b", "SUCCESS", 7]');
    const second = await sut.addPart(groupId, 0, '[1, "a", "SUCCESS", 3]');
    expect(first).toEqual({ readyCount: 1, size: 2, added: 0 });
    expect(second).toEqual({ readyCount: 2, size: 2, added: 0 });
    expect(await sut.readParts(groupId)).toEqual([
      { taskId: 'a', state: 'SUCCESS', result: 3 },
      { taskId: 'b', state: 'SUCCESS', result: 7 },
    ]);
  });

  it('counts a redelivered part once (same member bytes)', async () => {
    const groupId = randomUUID();
    await sut.setSize(groupId, 2);
    await sut.addPart(groupId, 0, '[1, "a", "SUCCESS", 3]');
    const again = await sut.addPart(groupId, 0, '[1, "a", "SUCCESS", 3]');
    expect(again.readyCount).toBe(1);
  });

  it('reads the parts Python Celery wrote mid-flight', async () => {
    const groupId = randomUUID();
    const [captured] = Object.entries(midflight).filter(([key]) =>
      key.endsWith('.j'),
    );
    const members = captured[1].value as unknown as [{ raw: string }, number][];
    for (const [{ raw }, score] of members) {
      await redis.zadd(chordJoinKey(groupId, prefix), score, raw);
    }
    const parts = await sut.readParts(groupId);
    expect(parts.map(({ state, result }) => [state, result])).toEqual([
      ['SUCCESS', 3],
      ['SUCCESS', 11],
    ]);
  });

  it('writes the size and sets an expiry on every chord key', async () => {
    const groupId = randomUUID();
    await sut.setSize(groupId, 3);
    await sut.addPart(groupId, null, '[1, "x", "SUCCESS", 1]');
    expect(await redis.get(chordSizeKey(groupId, prefix))).toBe('3');
    expect(await redis.ttl(chordJoinKey(groupId, prefix))).toBeGreaterThan(0);
    await sut.delete(groupId);
    expect(await redis.exists(chordJoinKey(groupId, prefix))).toBe(0);
  });
});
