// Jest globalSetup: the suites need the real RabbitMQ and Redis on 127.0.0.1.
// Start an installed but stopped server; fail with one clear sentence otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const SERVICES = [
  {
    name: 'RabbitMQ',
    port: 5672,
    binary: 'rabbitmq-server',
    start: ['rabbitmq-server', ['-detached']],
  },
  {
    name: 'Redis',
    port: 6379,
    binary: 'redis-server',
    start: [
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '--port',
        '6379',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
    ],
  },
];

function isOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isInstalled(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

async function waitOpen(port, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await isOpen(port)) {
      return true;
    }
    await sleep(250);
  }
  return false;
}

export default async function ensureServices() {
  for (const service of SERVICES) {
    if (await isOpen(service.port)) {
      continue;
    }
    if (!isInstalled(service.binary)) {
      throw new Error(
        `${service.name} is not listening on 127.0.0.1:${service.port} and is not installed here: start ${service.name} on that port, then run the tests again.`,
      );
    }
    const [command, args] = service.start;
    execFileSync(command, args, { stdio: 'ignore' });
    if (!(await waitOpen(service.port, 90))) {
      throw new Error(
        `${service.name} was started with "${command} ${args.join(' ')}" but did not open 127.0.0.1:${service.port} within 90 s.`,
      );
    }
  }
}
