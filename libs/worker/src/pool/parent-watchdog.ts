import { Worker } from 'node:worker_threads';

/** How often the watchdog looks at the parent pid. */
const WATCH_INTERVAL_MS = 500;

// Plain CommonJS, run by the thread as given (eval).
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) {
    process.kill(workerData.self, 'SIGKILL');
  }
}, workerData.intervalMs);
`;

/**
 * Ends this pool child process when its worker is gone. The child's main
 * thread sees its IPC channel close only between tasks: one that never
 * yields (a CPU-bound task) would go on holding a core after its worker was
 * SIGKILLed. So a small thread checks the parent pid, which changes when the
 * child is re-parented, and kills the whole process then.
 */
export function exitWithParent(): void {
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: {
      parent: process.ppid,
      self: process.pid,
      intervalMs: WATCH_INTERVAL_MS,
    },
    // It only polls: a small heap keeps the thread's memory small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
  });
  watchdog.unref();
}
