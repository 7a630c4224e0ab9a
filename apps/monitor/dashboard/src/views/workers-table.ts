import type { View } from './view';
import { type AppState, heartbeatAge, type WorkerEntry } from '../app-state';
import { h, setText } from '../dom';
import { formatAge, formatLoad, isHeartbeatLate } from '../format';
import { tasksHref } from '../router';
import { emptyRow, gridTable } from './grid-table';

const NUMERIC = new Set(['Heartbeat', 'Active', 'Processed', 'Load', 'PID']);
const HEADERS = [
  'Worker',
  'Status',
  'Heartbeat',
  'Active',
  'Processed',
  'Load',
  'Software',
  'PID',
];

/** The age, amber while an online worker's heartbeat is late. */
function paintHeartbeat(
  cell: HTMLElement,
  entry: WorkerEntry,
  now: number,
): HTMLElement {
  const age = heartbeatAge(entry, now);
  setText(cell, formatAge(age));
  cell.classList.toggle(
    'late',
    entry.worker.online && isHeartbeatLate(age, entry.worker.freq),
  );
  return cell;
}

function workerRow(entry: WorkerEntry, now: number): HTMLTableRowElement {
  const { worker } = entry;
  return h(
    'tr',
    {
      'data-testid': 'worker-row',
      'data-worker': worker.hostname,
      'data-online': String(worker.online),
    },
    h(
      'td',
      { class: 'clip' },
      h('a', { href: tasksHref({ worker: worker.hostname }) }, worker.hostname),
    ),
    h(
      'td',
      {},
      h(
        'span',
        {
          class: `badge tone-${worker.online ? 'success' : 'failure'}`,
          'data-testid': 'worker-status',
        },
        worker.online ? 'Online' : 'Offline',
      ),
    ),
    paintHeartbeat(h('td', { class: 'num', 'data-heartbeat': '' }), entry, now),
    h('td', { class: 'num' }, worker.active),
    h('td', { class: 'num' }, worker.processed.toLocaleString()),
    h('td', { class: 'num mono' }, formatLoad(worker.loadavg)),
    h(
      'td',
      { class: 'muted' },
      [worker.swIdent, worker.swVer].filter(Boolean).join(' ') || '—',
    ),
    h('td', { class: 'num' }, worker.pid ?? '—'),
  );
}

/**
 * The workers, online first. Few rows: rebuilt on each (batched) change;
 * heartbeat ages tick every second in place.
 */
export function workersTable(state: AppState): View {
  const { element, tbody } = gridTable('workers-table', HEADERS, NUMERIC);
  const render = () => {
    const now = performance.now();
    const entries = [...state.workers.values()].sort(
      (a, b) =>
        Number(b.worker.online) - Number(a.worker.online) ||
        a.worker.hostname.localeCompare(b.worker.hostname),
    );
    tbody.replaceChildren(
      ...(entries.length > 0
        ? entries.map((entry) => workerRow(entry, now))
        : [emptyRow(HEADERS.length, 'No worker has reported yet.')]),
    );
  };
  const tick = setInterval(() => {
    const now = performance.now();
    for (const row of tbody.rows) {
      const entry = row.dataset.worker
        ? state.workers.get(row.dataset.worker)
        : undefined;
      const cell = row.querySelector<HTMLElement>('[data-heartbeat]');
      if (entry && cell) {
        paintHeartbeat(cell, entry, now);
      }
    }
  }, 1000);
  const unsubscribe = state.workersChanged.subscribe(render);
  render();
  return {
    element,
    destroy: () => {
      clearInterval(tick);
      unsubscribe();
    },
  };
}
