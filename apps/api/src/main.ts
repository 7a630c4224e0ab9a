import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { apiProcesses } from './cluster/api-processes';

// API_PROCESSES > 1: this process is the cluster primary; it forks the
// workers (each runs this file again, as a worker) and serves nothing
// itself, so it loads neither Nest nor the api.
async function main(): Promise<void> {
  const processes = apiProcesses(
    process.env.API_PROCESSES,
    availableParallelism(),
  );
  if (cluster.isPrimary && processes > 1) {
    const { runPrimary } = await import('./cluster/run-primary.js');
    runPrimary(processes);
    return;
  }
  const { bootstrapApi } = await import('./bootstrap-api.js');
  await bootstrapApi();
}

main().catch((error: unknown) => {
  // The logger may not exist yet: a config error fails before it does.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
