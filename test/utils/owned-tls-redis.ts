import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './owned-redis';
import type { TestCertificates } from './test-certificates';

/** A TLS-only redis-server the test owns, with a password and an ACL user. */
export interface OwnedTlsRedis {
  readonly port: number;
  stop(): Promise<void>;
}

/** Who may log in: the default user's password and one ACL user. */
export interface RedisCredentials {
  defaultPassword: string;
  user: string;
  password: string;
}

/**
 * Starts `redis-server` with only a TLS port (client certificates required,
 * signed by the test CA), `requirepass` for the default user and an ACL user
 * with its own password; waits until the port accepts.
 */
export async function startOwnedTlsRedis(
  certs: TestCertificates,
  credentials: RedisCredentials,
): Promise<OwnedTlsRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-tls-redis-'));
  const config = join(dir, 'redis.conf');
  writeFileSync(
    config,
    [
      'port 0',
      `tls-port ${port}`,
      'bind 127.0.0.1',
      `tls-cert-file ${certs.serverCert}`,
      `tls-key-file ${certs.serverKey}`,
      `tls-ca-cert-file ${certs.ca}`,
      'tls-auth-clients yes',
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      `requirepass ${credentials.defaultPassword}`,
      `user ${credentials.user} on >${credentials.password} ~* &* +@all`,
    ].join('\n') + '\n',
  );
  const child = spawn('redis-server', [config], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const accepts = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepts) {
      break;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`TLS redis-server on port ${port} did not start`);
    }
    await sleep(50);
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
