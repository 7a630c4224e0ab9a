// The seed comparison's printed table: each row the seed replica's figure,
// celeriac's, and celeriac's as a multiple of the seed's (above 1 is better).
const num = (value, digits = 0) =>
  typeof value === 'number' ? value.toFixed(digits) : '-';
const times = (value) =>
  typeof value === 'number' ? `${value.toFixed(2)}×` : '-';

function loadCell(load) {
  if (!load) return '—';
  const errors = load.non2xx > 0 ? `, ${load.non2xx} non-2xx` : '';
  return `${num(load.perSecond)} req/s (p50 ${num(load.p50Ms)} ms, p99 ${num(load.p99Ms)} ms${errors})`;
}

function endToEndCell(system, count) {
  const e2e = system?.endToEnd;
  if (!e2e || typeof e2e.seconds !== 'number') return '-';
  return `${num(e2e.seconds, 2)} s (${num(e2e.perSecond)} tasks/s, N ${count})`;
}

function latencyCell(system) {
  const l = system?.latency;
  if (!l || l.count === 0) return '-';
  return `p50 ${num(l.p50Ms, 1)} ms, p99 ${num(l.p99Ms, 1)} ms (${l.count} tasks)`;
}

/** Prints the phase's table (medians of its rounds). */
export function printSeedTable(comparison) {
  if (!comparison) return;
  if (comparison.error) {
    console.log(`\nseed comparison failed: ${comparison.error}`);
    return;
  }
  const { bySystem, ratios, settings, note } = comparison;
  const seed = bySystem.seed;
  const celeriac = bySystem.celeriac;
  const overrides = Object.keys(settings.celeriacSettings ?? {});
  console.log(
    `\nseed comparison: celeriac with its defaults (WORKER_CONCURRENCY=2${overrides.length > 0 ? `; set by BENCH_SEED_ENV: ${overrides.join(', ')}` : ', nothing else set'}) ` +
      `against the FastAPI + Celery seed replica (uvicorn uvloop/httptools, Celery prefork -c 2); ` +
      `${settings.rounds} alternating rounds, medians`,
  );
  if (note) console.log(note);
  const rows = [
    ['', 'seed (FastAPI + Celery)', 'celeriac', 'celeriac / seed'],
    [
      '(a) GET /solo/add until all SUCCESS',
      endToEndCell(seed, settings.e2eN),
      endToEndCell(celeriac, settings.e2eN),
      times(ratios.endToEnd),
    ],
    [
      '(b) GET /solo/add, c16',
      loadCell(seed?.solo),
      loadCell(celeriac?.solo),
      times(ratios.solo),
    ],
    ['(c) POST /v1/tasks, c16', '—', loadCell(celeriac?.submit), '—'],
    [
      '(d) GET /result/{id} (done), c16',
      loadCell(seed?.result),
      loadCell(celeriac?.result),
      times(ratios.result),
    ],
    [
      '(e) GET /solo/add → SUCCESS seen, one at a time',
      latencyCell(seed),
      latencyCell(celeriac),
      `${times(ratios.latencyP50)} p50, ${times(ratios.latencyP99)} p99`,
    ],
    [
      'rounds ok',
      seed ? `${seed.rounds}/${seed.rounds + seed.failedRounds}` : '-',
      celeriac
        ? `${celeriac.rounds}/${celeriac.rounds + celeriac.failedRounds}`
        : '-',
      '',
    ],
  ];
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.slice(1).forEach((row) => console.log(line(row)));
  const failures = new Set(
    (comparison.rounds ?? [])
      .filter((round) => round.error)
      .map((round) => `${round.stack}: ${round.error}`),
  );
  failures.forEach((failure) => console.log(`failed round: ${failure}`));
  console.log(
    '(e): celeriac waits with GET /v1/tasks/{id}?wait=10, the seed client polls GET /result/{id} back to back; ' +
      'its ratio is seed ms / celeriac ms. (b)-(d) pause the worker while the front door is loaded.',
  );
}
