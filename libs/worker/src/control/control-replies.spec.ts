import {
  buildWorkerConf,
  buildWorkerStats,
  maskPassword,
  registeredTasks,
  toCeleryRusage,
} from './control-replies';

const USAGE: NodeJS.ResourceUsage = {
  userCPUTime: 1_500_000,
  systemCPUTime: 250_000,
  maxRSS: 81920,
  sharedMemorySize: 0,
  unsharedDataSize: 0,
  unsharedStackSize: 0,
  minorPageFault: 10,
  majorPageFault: 1,
  swappedOut: 0,
  fsRead: 8,
  fsWrite: 16,
  ipcSent: 0,
  ipcReceived: 0,
  signalsCount: 0,
  voluntaryContextSwitches: 100,
  involuntaryContextSwitches: 5,
};

describe('buildWorkerStats', () => {
  it("has Celery's stats keys, the clock as a string and the uptime rounded", () => {
    const stats = buildWorkerStats({
      total: { add_task: 2 },
      pid: 42,
      clock: 17,
      uptimeSeconds: 12.6,
      concurrency: 2,
      timeouts: [600, 1200],
      prefetchCount: 3,
      broker: { hostname: 'h' },
      rusage: USAGE,
    });

    expect(stats).toEqual({
      total: { add_task: 2 },
      pid: 42,
      clock: '17',
      uptime: 13,
      pool: {
        implementation: 'celery.concurrency.solo:TaskPool',
        'max-concurrency': 2,
        processes: [42],
        'max-tasks-per-child': 'N/A',
        'put-guarded-by-semaphore': false,
        timeouts: [600, 1200],
        writes: 'N/A',
      },
      broker: { hostname: 'h' },
      prefetch_count: 3,
      rusage: toCeleryRusage(USAGE),
    });
  });
});

describe('toCeleryRusage', () => {
  it("names getrusage's fields as Celery does, CPU times in seconds", () => {
    expect(toCeleryRusage(USAGE)).toEqual({
      utime: 1.5,
      stime: 0.25,
      maxrss: 81920,
      ixrss: 0,
      idrss: 0,
      isrss: 0,
      minflt: 10,
      majflt: 1,
      nswap: 0,
      inblock: 8,
      oublock: 16,
      msgsnd: 0,
      msgrcv: 0,
      nsignals: 0,
      nvcsw: 100,
      nivcsw: 5,
    });
  });
});

describe('registeredTasks', () => {
  const tasks = [
    { name: 'multi_task', params: [] },
    { name: 'add_task', params: [], queue: 'sums', acksLate: false },
  ];

  it('lists the names sorted; the default items (exchange, routing_key, rate_limit) are unset', () => {
    expect(registeredTasks(tasks)).toEqual(['add_task', 'multi_task']);
  });

  it('adds the asked attributes that are set, as Python prints them', () => {
    expect(registeredTasks(tasks, ['queue', 'acks_late', 'nope'])).toEqual([
      'add_task [queue=sums acks_late=False]',
      'multi_task',
    ]);
  });
});

describe('maskPassword', () => {
  it.each([
    ['amqp://guest:secret@host:5672//', 'amqp://guest:********@host:5672//'],
    ['redis://:pw@127.0.0.1:6379/0', 'redis://:********@127.0.0.1:6379/0'],
    ['redis://127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    ['amqp://user@host//', 'amqp://user@host//'],
    [
      'sentinel://:a@h1:26379/0;sentinel://:b@h2:26379/0',
      'sentinel://:********@h1:26379/0;sentinel://:********@h2:26379/0',
    ],
  ])('%s -> %s', (url, masked) => {
    expect(maskPassword(url)).toBe(masked);
  });
});

describe('buildWorkerConf', () => {
  const settings = {
    brokerUrl: 'amqp://guest:secret@rabbit:5672//',
    resultBackend: 'redis://:pw@redis:6379/0',
    resultExpires: 86400,
    defaultQueue: 'default-sum',
    queues: ['default-sum'],
    concurrency: 2,
    softTimeLimit: 600,
    timeLimit: 1200,
    sendEvents: true,
    trackStarted: false,
  };

  it("gives Celery's setting names with the passwords masked", () => {
    const conf = buildWorkerConf(settings);

    expect(conf).toMatchObject({
      broker_url: 'amqp://guest:********@rabbit:5672//',
      result_backend: 'redis://:********@redis:6379/0',
      result_expires: 86400,
      task_default_queue: 'default-sum',
      worker_concurrency: 2,
      task_soft_time_limit: 600,
      task_time_limit: 1200,
      task_acks_late: true,
      task_track_started: false,
    });
    expect(JSON.stringify(conf)).not.toMatch(/secret|:pw@/);
    expect(conf).not.toHaveProperty('enable_utc');
  });

  it("with_defaults adds Celery's defaults, celeriac's values winning", () => {
    const conf = buildWorkerConf(settings, true);

    expect(conf).toMatchObject({
      enable_utc: true,
      task_serializer: 'json',
      task_acks_late: true,
      worker_prefetch_multiplier: 1,
    });
  });
});
