// Medians across rounds, ratios, and the printed table.
import { median, percentile } from './workload.mjs';

function forSystem(results, name) {
  const rows = results.filter((row) => row.system === name && !row.error);
  const latencies = rows.flatMap((row) => row.latenciesMs ?? []);
  return {
    rounds: rows.length,
    failedRounds: results.filter((row) => row.system === name && row.error)
      .length,
    e2ePerSecond: median(rows.map((row) => row.e2ePerSecond)),
    drainPerSecond: median(rows.map((row) => row.drainPerSecond)),
    cpuPer1000: median(rows.map((row) => row.cpuPer1000)),
    peakRssMb: median(rows.map((row) => row.peakRssMb)),
    roundTrips: latencies.length,
    rttP50Ms: percentile(latencies, 50),
    rttP99Ms: percentile(latencies, 99),
  };
}

const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;

export function summarize(results, systems) {
  const bySystem = Object.fromEntries(
    systems.map((system) => [
      system.name,
      { label: system.label, ...forSystem(results, system.name) },
    ]),
  );
  const c = bySystem.celeriac;
  const setex = bySystem['raw-setex'];
  const piped = bySystem['raw-pipelined'];
  const celery = bySystem.celery;
  const baseline = bySystem['celeriac-baseline'];
  return {
    bySystem,
    ratios: {
      e2eVsBaseline: ratio(c?.e2ePerSecond, baseline?.e2ePerSecond),
      drainVsBaseline: ratio(c?.drainPerSecond, baseline?.drainPerSecond),
      cpuVsBaseline: ratio(c?.cpuPer1000, baseline?.cpuPer1000),
      e2eVsRawSetex: ratio(c?.e2ePerSecond, setex?.e2ePerSecond),
      e2eVsRawPipelined: ratio(c?.e2ePerSecond, piped?.e2ePerSecond),
      drainVsRawSetex: ratio(c?.drainPerSecond, setex?.drainPerSecond),
      drainVsRawPipelined: ratio(c?.drainPerSecond, piped?.drainPerSecond),
      e2eVsCelery: ratio(c?.e2ePerSecond, celery?.e2ePerSecond),
      drainVsCelery: ratio(c?.drainPerSecond, celery?.drainPerSecond),
      cpuVsRawSetex: ratio(c?.cpuPer1000, setex?.cpuPer1000),
      cpuVsCelery: ratio(c?.cpuPer1000, celery?.cpuPer1000),
    },
  };
}

const num = (value, digits = 0) =>
  typeof value === 'number' ? value.toFixed(digits) : '-';
const times = (value) =>
  typeof value === 'number' ? `${value.toFixed(2)}×` : '-';

export function printTable(summary, publishing, report) {
  const { bySystem, ratios } = summary;
  const names = [
    'celeriac',
    'celeriac-baseline',
    'raw-setex',
    'raw-pipelined',
    'celery',
  ].filter((name) => bySystem[name]);
  const header = [
    '',
    ...names.map((name) => bySystem[name].label),
    'celeriac/raw',
    'celeriac/Celery',
  ];
  const rows = [
    [
      'end to end /s',
      ...names.map((n) => num(bySystem[n].e2ePerSecond)),
      `${times(ratios.e2eVsRawSetex)} setex`,
      times(ratios.e2eVsCelery),
    ],
    [
      'drain /s',
      ...names.map((n) => num(bySystem[n].drainPerSecond)),
      `${times(ratios.drainVsRawPipelined)} piped`,
      times(ratios.drainVsCelery),
    ],
    [
      'CPU-s / 1000 tasks',
      ...names.map((n) => num(bySystem[n].cpuPer1000, 3)),
      `${times(ratios.cpuVsRawSetex)} setex`,
      times(ratios.cpuVsCelery),
    ],
    ['peak RSS MB', ...names.map((n) => num(bySystem[n].peakRssMb)), '', ''],
    [
      'round trip p50 ms',
      ...names.map((n) => num(bySystem[n].rttP50Ms, 2)),
      '',
      '',
    ],
    [
      'round trip p99 ms',
      ...names.map((n) => num(bySystem[n].rttP99Ms, 2)),
      '',
      '',
    ],
    [
      'rounds ok',
      ...names.map(
        (n) =>
          `${bySystem[n].rounds}/${bySystem[n].rounds + bySystem[n].failedRounds}`,
      ),
      '',
      '',
    ],
  ];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  console.log(
    `\nceleriac benchmark ${report.run}: ${report.machine.cpus} CPUs, node ${report.machine.node}, ` +
      `N e2e ${report.settings.e2eN}, drain ${report.settings.drainN}, ${report.settings.rounds} rounds (medians)`,
  );
  if (report.celeryNote) console.log(report.celeryNote);
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.forEach((row) => console.log(line(row)));
  if (bySystem['celeriac-baseline']) {
    console.log(
      `\nceleriac / baseline build (${report.settings.baselineMain}): end to end ${times(ratios.e2eVsBaseline)}, ` +
        `drain ${times(ratios.drainVsBaseline)}, CPU-s per 1000 ${times(ratios.cpuVsBaseline)}`,
    );
  }
  if (publishing?.client) {
    console.log(
      `\npublish only: CeleryClient ${num(publishing.client.perSecond)}/s (${publishing.client.inFlight} in flight); ` +
        `POST /v1/tasks ${num(publishing.http?.perSecond)}/s (autocannon c${publishing.http?.connections}, ` +
        `p50 ${publishing.http?.latencyP50Ms} ms, p99 ${publishing.http?.latencyP99Ms} ms, non-2xx ${publishing.http?.non2xx})`,
    );
  } else if (publishing?.error) {
    console.log(`\npublish only failed: ${publishing.error}`);
  }
}
