import type { AppState } from '../app-state';
import { h, setText } from '../dom';
import { stateLook } from '../format';
import { taskHref, tasksHref } from '../router';
import type { TaskQuery, TaskSortKey } from '../task-store';
import { TASK_STATES } from '../../../src/contract/flower-task';
import { emptyRow } from './grid-table';
import { fillTaskRow, TASK_COLUMNS, taskRow } from './task-row';
import type { View } from './view';

const PAGE_SIZE = 50;
/** Re-sorting 10 000 tasks on every frame would be waste: at most 4 per second. */
const REQUERY_MS = 250;
const SORT_KEYS: TaskSortKey[] = [
  'received',
  'started',
  'name',
  'state',
  'runtime',
  'worker',
];

function queryFromParams(params: URLSearchParams): TaskQuery {
  const sortParam = params.get('sort') ?? '-received';
  const descending = sortParam.startsWith('-');
  const key = sortParam.replace(/^-/, '') as TaskSortKey;
  return {
    state: params.get('state') ?? undefined,
    name: params.get('name') ?? undefined,
    worker: params.get('worker') ?? undefined,
    search: params.get('search') ?? undefined,
    sortBy: SORT_KEYS.includes(key) ? key : 'received',
    descending,
  };
}

function select(
  label: string,
  testId: string,
  options: string[],
  selected: string | undefined,
  describe: (value: string) => string = (value) => value,
): HTMLSelectElement {
  return h(
    'select',
    { 'aria-label': label, 'data-testid': testId },
    h('option', { value: '' }, `All ${label.toLowerCase()}s`),
    ...options.map((value) =>
      h('option', { value, selected: value === selected }, describe(value)),
    ),
  );
}

/** The tasks list: filters, a sortable page of rows, updated in place. */
export function tasksView(state: AppState, params: URLSearchParams): View {
  const query = queryFromParams(params);
  let offset = Math.max(0, Number(params.get('offset')) || 0);
  const rows = new Map<string, HTMLTableRowElement>();
  let shownIds: string[] = [];
  let requeryTimer: ReturnType<typeof setTimeout> | undefined;

  const stateSelect = select(
    'State',
    'filter-state',
    [...TASK_STATES],
    query.state,
    (value) => stateLook(value).label,
  );
  const nameSelect = select('Name', 'filter-name', [], query.name);
  const workerSelect = select('Worker', 'filter-worker', [], query.worker);
  const search = h('input', {
    type: 'search',
    placeholder: 'Search id, args, result…',
    'aria-label': 'Search tasks',
    'data-testid': 'filter-search',
    value: query.search ?? '',
  });
  const summary = h('span', { class: 'muted', 'data-testid': 'tasks-summary' });
  const previous = h('button', { type: 'button', class: 'button' }, '‹ Newer');
  const next = h('button', { type: 'button', class: 'button' }, 'Older ›');
  // A click anywhere on a row opens the task (links keep their own target).
  const tbody = h('tbody', {
    onclick: (event: Event) => {
      const target = event.target as HTMLElement;
      const row = target.closest<HTMLElement>('tr[data-task-id]');
      if (row?.dataset.taskId && !target.closest('a')) {
        location.hash = taskHref(row.dataset.taskId);
      }
    },
  });
  const header = h(
    'tr',
    {},
    ...TASK_COLUMNS.map((column) => {
      if (!column.key) {
        return h('th', {}, column.label);
      }
      const key = column.key;
      const arrow =
        query.sortBy === key ? (query.descending ? ' ↓' : ' ↑') : '';
      return h(
        'th',
        key === 'received' || key === 'runtime' ? { class: 'num' } : {},
        h(
          'button',
          {
            type: 'button',
            class: 'sort',
            onclick: () => {
              query.descending =
                query.sortBy === key ? !query.descending : true;
              query.sortBy = key;
              refreshHeader();
              changeFilters();
            },
          },
          column.label + arrow,
        ),
      );
    }),
  );
  const refreshHeader = () => {
    TASK_COLUMNS.forEach((column, index) => {
      const button = header.cells[index].querySelector('button');
      if (button && column.key) {
        const arrow =
          query.sortBy === column.key ? (query.descending ? ' ↓' : ' ↑') : '';
        setText(button, column.label + arrow);
      }
    });
  };

  /** The filters live in the hash, so a view can be linked and reloaded. */
  const writeHash = () => {
    const href = tasksHref({
      state: query.state,
      name: query.name,
      worker: query.worker,
      search: query.search,
      sort:
        query.sortBy === 'received' && query.descending
          ? undefined
          : `${query.descending ? '-' : ''}${query.sortBy}`,
      offset: offset > 0 ? String(offset) : undefined,
    });
    history.replaceState(null, '', href);
  };

  const changeFilters = () => {
    offset = 0;
    writeHash();
    render();
  };

  stateSelect.addEventListener('change', () => {
    query.state = stateSelect.value || undefined;
    changeFilters();
  });
  nameSelect.addEventListener('change', () => {
    query.name = nameSelect.value || undefined;
    changeFilters();
  });
  workerSelect.addEventListener('change', () => {
    query.worker = workerSelect.value || undefined;
    changeFilters();
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      query.search = search.value.trim() || undefined;
      changeFilters();
    }, 150);
  });
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    writeHash();
    render();
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    writeHash();
    render();
  });

  /** Keeps a select's options in step with what the store has seen. */
  const refreshOptions = (
    element: HTMLSelectElement,
    values: string[],
    selected: string | undefined,
  ) => {
    const wanted =
      selected && !values.includes(selected) ? [...values, selected] : values;
    const present = [...element.options].slice(1).map((o) => o.value);
    if (present.join('\n') === wanted.join('\n')) {
      return;
    }
    element.replaceChildren(
      element.options[0],
      ...wanted.map((value) =>
        h('option', { value, selected: value === selected }, value),
      ),
    );
  };

  /** The page again: rows are reused by id, only new ones are built. */
  function render(): void {
    clearTimeout(requeryTimer);
    requeryTimer = undefined;
    const page = state.tasks.query(query, offset, PAGE_SIZE);
    if (offset > 0 && page.rows.length === 0 && page.total > 0) {
      offset = Math.max(
        0,
        Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE,
      );
      render();
      return;
    }
    const ids = page.rows.map((task) => task.uuid);
    const keep = new Set(ids);
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        rows.delete(id);
        row.remove();
      }
    }
    const ordered = page.rows.map((task) => {
      const existing = rows.get(task.uuid);
      if (existing) {
        fillTaskRow(existing, task);
        return existing;
      }
      const row = taskRow(task);
      rows.set(task.uuid, row);
      return row;
    });
    if (ids.join('\n') !== shownIds.join('\n')) {
      tbody.replaceChildren(...ordered);
      shownIds = ids;
    }
    if (page.total === 0) {
      tbody.replaceChildren(
        emptyRow(
          TASK_COLUMNS.length,
          state.tasks.size === 0
            ? 'No tasks yet: they appear here as workers report them.'
            : 'No task matches these filters.',
        ),
      );
      shownIds = [];
    }
    const first = page.total === 0 ? 0 : offset + 1;
    setText(
      summary,
      `${first.toLocaleString()}–${(offset + page.rows.length).toLocaleString()} of ${page.total.toLocaleString()}`,
    );
    previous.disabled = offset === 0;
    next.disabled = offset + PAGE_SIZE >= page.total;
    refreshOptions(nameSelect, state.tasks.distinct('name'), query.name);
    refreshOptions(workerSelect, state.tasks.distinct('worker'), query.worker);
  }

  /**
   * Rows on the page change at once; which rows are on the page (new
   * tasks, filters, order) is recomputed a little later, batched.
   */
  const unsubscribe = state.tasksChanged.subscribe((changed) => {
    for (const id of changed) {
      const row = rows.get(id);
      const task = row && state.tasks.get(id);
      if (row && task) {
        fillTaskRow(row, task);
      }
    }
    requeryTimer ??= setTimeout(render, REQUERY_MS);
  });

  const element = h(
    'section',
    { class: 'view', 'data-testid': 'tasks-view' },
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, 'Tasks'),
      stateSelect,
      nameSelect,
      workerSelect,
      search,
      h(
        'a',
        { href: '#/tasks', class: 'clear', 'data-testid': 'filter-clear' },
        'Clear',
      ),
      h('span', { class: 'spacer' }),
      summary,
      previous,
      next,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'grid tasks' }, h('thead', {}, header), tbody),
    ),
  );
  render();

  return {
    element,
    destroy: () => {
      unsubscribe();
      clearTimeout(requeryTimer);
      clearTimeout(searchTimer);
    },
  };
}
