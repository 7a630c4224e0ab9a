import type { AppState } from '../app-state';
import { h } from '../dom';
import { queuesTable } from './queues-table';
import type { View } from './view';
import { workersTable } from './workers-table';

/** A page that is one table under a title. */
function tablePage(testId: string, title: string, table: View): View {
  return {
    element: h(
      'section',
      { class: 'view', 'data-testid': testId },
      h('div', { class: 'toolbar' }, h('h1', {}, title)),
      table.element,
    ),
    destroy: table.destroy,
  };
}

export function workersView(state: AppState): View {
  return tablePage('workers-view', 'Workers', workersTable(state));
}

export function queuesView(state: AppState): View {
  return tablePage('queues-view', 'Queues', queuesTable(state));
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
