import { h, setText } from '../dom';
import { formatClock, formatDuration, shortId } from '../format';
import { taskHref, tasksHref } from '../router';
import type { TaskRecord } from '../../../src/contract/flower-task';
import {
  progressBar,
  stateBadge,
  updateProgressBar,
  updateStateBadge,
} from '../widgets';

export const TASK_COLUMNS = [
  { key: 'state', label: 'State' },
  { key: 'name', label: 'Name' },
  { key: null, label: 'UUID' },
  { key: null, label: 'Args' },
  { key: null, label: 'Result / progress' },
  { key: 'received', label: 'Received' },
  { key: 'runtime', label: 'Runtime' },
  { key: 'worker', label: 'Worker' },
] as const;

/** One task's row; `fillTaskRow` updates it in place when the task changes. */
export function taskRow(task: TaskRecord): HTMLTableRowElement {
  const link = h('a', { href: taskHref(task.uuid), class: 'mono' });
  const row = h(
    'tr',
    { 'data-testid': 'task-row', 'data-task-id': task.uuid },
    h('td', {}, stateBadge(task.state)),
    h('td', { class: 'name' }),
    h('td', {}, link),
    h('td', { class: 'mono clip' }),
    h('td', { class: 'outcome' }),
    h('td', { class: 'num' }),
    h('td', { class: 'num' }),
    h('td', { class: 'clip' }),
  );
  fillTaskRow(row, task);
  return row;
}

export function fillTaskRow(row: HTMLTableRowElement, task: TaskRecord): void {
  const cells = row.cells;
  if (row.dataset.state !== task.state) {
    row.dataset.state = task.state;
  }
  updateStateBadge(cells[0].firstElementChild as HTMLElement, task.state);
  setText(cells[1], task.name ?? '—');
  const link = cells[2].firstElementChild as HTMLAnchorElement;
  setText(link, shortId(task.uuid));
  link.title = task.uuid;
  setText(cells[3], task.args ?? '');
  cells[3].title = task.args ?? '';
  fillOutcome(cells[4], task);
  setText(cells[5], formatClock(task.received ?? task.sent));
  setText(cells[6], formatDuration(task.runtime));
  fillWorker(cells[7], task.worker);
}

/** The bar while PROGRESS, else the result or the exception. */
function fillOutcome(cell: HTMLTableCellElement, task: TaskRecord): void {
  const current = cell.firstElementChild as HTMLElement | null;
  if (task.state === 'PROGRESS' && task.progress) {
    if (current?.getAttribute('role') === 'progressbar') {
      updateProgressBar(current, task.progress);
    } else {
      cell.replaceChildren(progressBar(task.progress));
    }
    return;
  }
  const text =
    task.state === 'FAILURE' ? (task.exception ?? '') : (task.result ?? '');
  if (current) {
    cell.replaceChildren();
  }
  setText(cell, text);
  cell.title = text;
  cell.classList.toggle('error-text', task.state === 'FAILURE');
}

function fillWorker(cell: HTMLTableCellElement, worker: string | null): void {
  const current = cell.firstElementChild as HTMLAnchorElement | null;
  if (!worker) {
    cell.replaceChildren('—');
    return;
  }
  if (current?.textContent === worker) {
    return;
  }
  cell.replaceChildren(
    h('a', { href: tasksHref({ worker }), title: worker }, worker),
  );
}
