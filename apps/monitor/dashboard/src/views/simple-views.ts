import type { AppState } from '../app-state';
import { h } from '../dom';
import { queuesTable } from './queues-table';
import type { View } from './view';
import { workersTable } from './workers-table';

export function workersView(state: AppState): View {
  const table = workersTable(state);
  return {
    element: h(
      'section',
      { class: 'view', 'data-testid': 'workers-view' },
      h('div', { class: 'toolbar' }, h('h1', {}, 'Workers')),
      table.element,
    ),
    destroy: table.destroy,
  };
}

export function queuesView(state: AppState): View {
  const table = queuesTable(state);
  return {
    element: h(
      'section',
      { class: 'view', 'data-testid': 'queues-view' },
      h('div', { class: 'toolbar' }, h('h1', {}, 'Queues')),
      table.element,
    ),
    destroy: table.destroy,
  };
}

export function notFoundView(path: string): View {
  return {
    element: h(
      'section',
      { class: 'view' },
      h(
        'p',
        { class: 'empty' },
        `Nothing at ${path}. `,
        h('a', { href: '#/' }, 'Back to the overview'),
      ),
    ),
    destroy: () => undefined,
  };
}
