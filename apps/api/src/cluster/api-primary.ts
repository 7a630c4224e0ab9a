import { Counter, Gauge, Registry } from 'prom-client';
import { MetricsGatherer } from './metrics-gatherer';
import {
  isMetricsMessage,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsMessage,
} from './metrics-messages';
import { RestartPolicy } from './restart-policy';

/**
 * exitOnSignals' SIGNAL_ECHO_WINDOW_MS (a spec holds them equal), kept here
 * so the primary does not load @celeriac/config and with it Nest: the same
 * signal again this soon is the first one delivered twice (Ctrl-C signals
 * the whole process group, `npm start` forwards it too).
 */
export const PRIMARY_SIGNAL_ECHO_WINDOW_MS = 500;

/** The part of a node:cluster Worker the primary uses. */
export interface ApiWorker {
  readonly id: number;
  readonly process: {
    readonly pid?: number;
    kill(signal?: NodeJS.Signals): unknown;
  };
  send(message: MetricsMessage): unknown;
  isConnected(): boolean;
}

/** The part of node:cluster (in the primary) the primary uses. */
export interface ClusterHost<W extends ApiWorker = ApiWorker> {
  fork(env: Record<string, string>): W;
  on(
    event: 'exit',
    listener: (worker: W, code: number | null, signal: string | null) => void,
  ): unknown;
  on(event: 'listening', listener: (worker: W) => void): unknown;
  on(
    event: 'message',
    listener: (worker: W, message: unknown) => void,
  ): unknown;
}

/** Structured log calls, as pino takes them. */
export interface PrimaryLogger {
  info(fields: object): void;
  warn(fields: object): void;
  error(fields: object): void;
}

export interface ApiPrimaryOptions {
  processes: number;
  /** Set in every worker's environment, over the primary's. */
  workerEnv: Record<string, string>;
  /** Ends the primary; `process.exit` outside tests. */
  exit: (code: number) => void;
  policy?: RestartPolicy;
  gatherTimeoutMs?: number;
}

interface Running {
  readonly worker: ApiWorker;
  readonly startedAt: number;
  listened: boolean;
}

/**
 * The cluster primary of a multi-process api: forks `processes` workers
 * that share the api port, replaces one that dies (RestartPolicy's backoff),
 * relays GET /metrics so it sums every worker, and on SIGTERM / SIGINT
 * passes the signal on (each worker drains as a single api would) and exits
 * 0 once all have exited cleanly, else 1.
 */
export class ApiPrimary {
  private readonly running = new Map<number, Running>();
  private readonly pendingRestarts = new Set<ReturnType<typeof setTimeout>>();
  private readonly policy: RestartPolicy;
  private readonly gatherer: MetricsGatherer;
  private readonly restarts: Counter;
  private readonly listeningWorkers: Gauge;
  private stopping?: { signal: NodeJS.Signals; at: number; failed: boolean };

  constructor(
    private readonly cluster: ClusterHost,
    private readonly logger: PrimaryLogger,
    private readonly options: ApiPrimaryOptions,
  ) {
    this.policy = options.policy ?? new RestartPolicy();
    const registry = new Registry();
    this.restarts = new Counter({
      name: 'celeriac_api_worker_restarts_total',
      help: 'Api worker processes the cluster primary replaced after they died (API_PROCESSES > 1).',
      registers: [registry],
    });
    this.listeningWorkers = new Gauge({
      name: 'celeriac_api_processes',
      help: 'Api worker processes listening on the api port (API_PROCESSES > 1).',
      registers: [registry],
    });
    this.gatherer = new MetricsGatherer(registry, options.gatherTimeoutMs);
  }

  start(): void {
    this.cluster.on('listening', (worker) => this.onListening(worker));
    this.cluster.on('exit', (worker, code, signal) =>
      this.onExit(worker, code, signal),
    );
    this.cluster.on('message', (worker, message) => {
      if (isMetricsMessage(message)) {
        this.onMetricsMessage(worker, message);
      }
    });
    for (let index = 0; index < this.options.processes; index++) {
      this.fork();
    }
    this.logger.info({
      msg: 'api cluster primary started',
      processes: this.options.processes,
    });
  }

  /**
   * SIGTERM / SIGINT: the first passes on to every worker (a warm shutdown
   * each); another one, not the first's echo, passes on as well: the
   * workers' cold shutdown. Either way the primary exits once they are gone.
   */
  onSignal(signal: NodeJS.Signals): void {
    const first = this.stopping;
    if (first) {
      const echo =
        signal === first.signal &&
        Date.now() - first.at < PRIMARY_SIGNAL_ECHO_WINDOW_MS;
      if (echo) {
        return;
      }
      this.logger.warn({ msg: 'cold shutdown of the api workers', signal });
      first.failed = true;
    } else {
      this.logger.info({ msg: 'warm shutdown of the api workers', signal });
      this.beginStopping(signal);
    }
    this.signalWorkers(signal);
    this.exitIfDone();
  }

  private fork(): void {
    const worker = this.cluster.fork(this.options.workerEnv);
    this.running.set(worker.id, {
      worker,
      startedAt: Date.now(),
      listened: false,
    });
  }

  private onListening(worker: ApiWorker): void {
    const entry = this.running.get(worker.id);
    if (!entry || entry.listened) {
      return;
    }
    entry.listened = true;
    this.policy.listening();
    this.listeningWorkers.inc();
    this.logger.info({
      msg: 'api worker listening',
      workerPid: worker.process.pid,
    });
  }

  private onExit(
    worker: ApiWorker,
    code: number | null,
    signal: string | null,
  ): void {
    const entry = this.running.get(worker.id);
    this.running.delete(worker.id);
    this.gatherer.forget(worker.id);
    if (entry?.listened) {
      this.listeningWorkers.dec();
    }
    const exit = { workerPid: worker.process.pid, code, signal };
    const decision = this.policy.decide({
      shuttingDown: this.stopping !== undefined,
      listened: entry?.listened ?? false,
      livedMs: entry ? Date.now() - entry.startedAt : 0,
    });
    if (decision.action === 'none') {
      if (code !== 0 && this.stopping) {
        this.stopping.failed = true;
      }
      this.logger.info({ msg: 'api worker exited', ...exit });
      this.exitIfDone();
      return;
    }
    if (decision.action === 'give-up') {
      this.logger.error({
        msg: 'api worker failed to start; stopping the api',
        ...exit,
      });
      this.beginStopping('SIGTERM').failed = true;
      this.signalWorkers('SIGTERM');
      this.exitIfDone();
      return;
    }
    this.logger.error({
      msg: 'api worker died; restarting it',
      ...exit,
      restartInMs: decision.delayMs,
      crashesInARow: decision.crashesInARow,
    });
    const timer = setTimeout(() => {
      this.pendingRestarts.delete(timer);
      this.restarts.inc();
      this.fork();
    }, decision.delayMs);
    this.pendingRestarts.add(timer);
  }

  private beginStopping(signal: NodeJS.Signals) {
    for (const timer of this.pendingRestarts) {
      clearTimeout(timer);
    }
    this.pendingRestarts.clear();
    this.stopping = { signal, at: Date.now(), failed: false };
    return this.stopping;
  }

  private signalWorkers(signal: NodeJS.Signals): void {
    for (const { worker } of this.running.values()) {
      worker.process.kill(signal);
    }
  }

  private exitIfDone(): void {
    if (this.stopping && this.running.size === 0) {
      const code = this.stopping.failed ? 1 : 0;
      this.logger.info({ msg: 'api cluster primary exiting', code });
      this.options.exit(code);
    }
  }

  private onMetricsMessage(worker: ApiWorker, message: MetricsMessage): void {
    if (message.type !== METRICS_REQUEST) {
      this.gatherer.receive(worker.id, message);
      return;
    }
    const listening = [...this.running.values()]
      .filter((entry) => entry.listened && entry.worker.isConnected())
      .map((entry) => entry.worker);
    this.gatherer.gather(listening).then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (error: unknown) =>
        worker.send({
          type: METRICS_REPLY,
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  }
}
