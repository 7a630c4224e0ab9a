import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAll } from 'js-yaml';

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { replicas?: number; serviceName?: string };
  data?: Record<string, string>;
}

/** deploy/k8s/redis-sentinel/: Redis under Sentinel for the result backend (issue 19). */
describe('deploy/k8s/redis-sentinel', () => {
  const manifests = loadAll(
    readFileSync(
      resolve(process.cwd(), 'deploy/k8s/redis-sentinel/redis-sentinel.yaml'),
      'utf8',
    ),
  ) as Manifest[];
  const find = (kind: string, name: string): Manifest => {
    const found = manifests.find(
      (manifest) => manifest.kind === kind && manifest.metadata.name === name,
    );
    if (!found) {
      throw new Error(`no ${kind} ${name}`);
    }
    return found;
  };
  const scripts = find('ConfigMap', 'redis-sentinel-scripts').data ?? {};

  it('runs a master and a replica, and three sentinels with a quorum of two', () => {
    expect(find('StatefulSet', 'redis-node').spec?.replicas).toBe(2);
    expect(find('StatefulSet', 'redis-sentinel').spec?.replicas).toBe(3);
    expect(scripts['sentinel.sh']).toMatch(
      /sentinel monitor mymaster \$master 6379 2/,
    );
  });

  it('names each pod through a headless Service of the same name', () => {
    for (const name of ['redis-node', 'redis-sentinel']) {
      expect(find('StatefulSet', name).spec?.serviceName).toBe(name);
      find('Service', name);
    }
  });

  it.each(['redis-node.sh', 'sentinel.sh'])('ships %s as valid sh', (name) => {
    const check = spawnSync('sh', ['-n'], { input: scripts[name] });
    expect([name, check.status, check.stderr.toString()]).toEqual([
      name,
      0,
      '',
    ]);
  });
});
