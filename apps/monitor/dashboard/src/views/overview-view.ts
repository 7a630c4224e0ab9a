import type { AppState } from '../app-state';
import { h, setText } from '../dom';
import { stateLook } from '../format';
import { taskHref, tasksHref } from '../router';
import { progressBar, updateProgressBar } from '../widgets';
import { chartsPanel } from './charts';
import { queuesTable } from './queues-table';
import type { View } from './view';
import { workersTable } from './workers-table';

const TILE_STATES = [
  'PROGRESS',
  'STARTED',
  'RECEIVED',
  'SUCCESS',
  'FAILURE',
  'RETRY',
  'REVOKED',
];
const RUNNING_SHOWN = 8;
const REFRESH_MS = 250;

/** `#/`: counts by state, what runs now, charts, workers and queues. */
export function overviewView(state: AppState): View {
  const total = h('strong', {});
  const counts = new Map(
    TILE_STATES.map((taskState) => [taskState, h('strong', {})]),
  );
  const tiles = h(
    'div',
    { class: 'tiles' },
    h('a', { class: 'tile', href: '#/tasks' }, h('span', {}, 'Tasks'), total),
    ...TILE_STATES.map((taskState) =>
      h(
        'a',
        {
          class: `tile tone-${stateLook(taskState).tone}-text`,
          href: tasksHref({ state: taskState }),
          'data-testid': `tile-${taskState}`,
        },
        h('span', {}, stateLook(taskState).label),
        counts.get(taskState),
      ),
    ),
  );
  const running = h('ul', { class: 'running', 'data-testid': 'running' });
  const bars = new Map<string, HTMLElement>();

  const render = () => {
    const byState = state.tasks.countByState();
    setText(total, state.tasks.size.toLocaleString());
    for (const [taskState, element] of counts) {
      setText(element, (byState.get(taskState) ?? 0).toLocaleString());
    }
    const progressing = state.tasks
      .query(
        { state: 'PROGRESS', sortBy: 'started', descending: true },
        0,
        RUNNING_SHOWN,
      )
      .rows.filter((task) => task.progress);
    const ids = new Set(progressing.map((task) => task.uuid));
    for (const [id, item] of bars) {
      if (!ids.has(id)) {
        item.remove();
        bars.delete(id);
      }
    }
    for (const task of progressing) {
      const progress = task.progress!;
      const item = bars.get(task.uuid);
      if (item) {
        updateProgressBar(
          item.querySelector('[role=progressbar]') as HTMLElement,
          progress,
        );
      } else {
        const entry = h(
          'li',
          { 'data-task-id': task.uuid },
          h('a', { href: taskHref(task.uuid) }, task.name ?? task.uuid),
          progressBar(progress),
        );
        bars.set(task.uuid, entry);
        running.appendChild(entry);
      }
    }
    running.classList.toggle('hidden', bars.size === 0);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = state.tasksChanged.subscribe(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      render();
    }, REFRESH_MS);
  });
  const charts = chartsPanel(state);
  const workers = workersTable(state);
  const queues = queuesTable(state);
  render();

  return {
    element: h(
      'section',
      { class: 'view', 'data-testid': 'overview' },
      tiles,
      running,
      charts.element,
      h(
        'div',
        { class: 'columns' },
        h(
          'section',
          { class: 'card' },
          h('h2', {}, h('a', { href: '#/workers' }, 'Workers')),
          workers.element,
        ),
        h(
          'section',
          { class: 'card' },
          h('h2', {}, h('a', { href: '#/queues' }, 'Queues')),
          queues.element,
        ),
      ),
    ),
    destroy: () => {
      clearTimeout(timer);
      unsubscribe();
      charts.destroy();
      workers.destroy();
      queues.destroy();
    },
  };
}
