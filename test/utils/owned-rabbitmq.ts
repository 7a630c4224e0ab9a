import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './owned-redis';
import type { TestCertificates } from './test-certificates';

const RABBITMQ_BIN = '/usr/lib/rabbitmq/bin';
const START_TIMEOUT_MS = 180_000;

/** A RabbitMQ node the test owns: its own name, ports, config and mnesia dir. */
export interface OwnedRabbitmq {
  readonly nodeName: string;
  /** The plain AMQP port. */
  readonly port: number;
  /** The AMQPS port, when started with certificates. */
  readonly tlsPort?: number;
  /** Runs rabbitmqctl against this node. */
  ctl(...args: string[]): Promise<string>;
  /** Stops the node and waits for it to exit. */
  stop(): Promise<void>;
  /** `kill -9` of the node's Erlang VM (a machine dying), waiting for it to exit. */
  kill(): Promise<void>;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a RabbitMQ node beside the shared one (never touching it): the
 * node runs as the current user with HOME in its own folder, so it has its
 * own Erlang cookie, and listens on free ports of 127.0.0.1 only. With
 * `tls`, an AMQPS listener asks for a client certificate signed by the CA.
 */
export async function startOwnedRabbitmq(
  options: {
    tls?: TestCertificates;
    /** An Erlang cookie to share with other nodes, to cluster them. */
    cookie?: string;
  } = {},
): Promise<OwnedRabbitmq> {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-rabbitmq-'));
  const [port, distPort, tlsPort] = [
    await freePort(),
    await freePort(),
    options.tls ? await freePort() : undefined,
  ];
  const nodeName = `celeriac-${process.pid}-${port}@localhost`;
  const config = [
    `listeners.tcp.default = 127.0.0.1:${port}`,
    'loopback_users = none',
  ];
  if (options.tls && tlsPort) {
    config.push(
      `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
      `ssl_options.cacertfile = ${options.tls.ca}`,
      `ssl_options.certfile = ${options.tls.serverCert}`,
      `ssl_options.keyfile = ${options.tls.serverKey}`,
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = true',
    );
  }
  writeFileSync(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  if (options.cookie) {
    writeFileSync(join(dir, '.erlang.cookie'), options.cookie, { mode: 0o400 });
  }
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
  };
  let output = '';
  const child: ChildProcess = spawn(`${RABBITMQ_BIN}/rabbitmq-server`, [], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');

  const ctl = async (...args: string[]): Promise<string> => {
    const { stdout } = await promisify(execFile)(
      `${RABBITMQ_BIN}/rabbitmqctl`,
      ['-q', '-n', nodeName, ...args],
      { env },
    );
    return stdout;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    await ctl('stop').catch(() => child.kill('SIGKILL'));
    await Promise.race([exited, sleep(30_000, undefined, { ref: false })]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    // The pid file holds the Erlang VM's pid (the script may be its parent).
    const vm = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    process.kill(vm, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
  };

  // The listener opens last, once the node has booted.
  const deadline = Date.now() + START_TIMEOUT_MS;
  const lastPort = tlsPort ?? port;
  while (!(await portAccepts(lastPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `RabbitMQ node ${nodeName} did not open port ${lastPort}:\n${output.slice(-3000)}`,
      );
    }
    await sleep(250);
  }
  await ctl('await_startup');
  return { nodeName, port, tlsPort, ctl, stop, kill };
}
