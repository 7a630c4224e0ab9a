import type { View } from './view';
import type { AppState } from '../app-state';
import { h } from '../dom';
import { formatRate } from '../format';
import { emptyRow, gridTable } from './grid-table';

const NUMERIC = new Set(['Messages', 'Consumers', 'Publish', 'Deliver']);
const HEADERS = ['Queue', 'Messages', '', 'Consumers', 'Publish', 'Deliver'];

/** Queue depths (with a bar against the deepest), consumers and rates. */
export function queuesTable(state: AppState): View {
  const { element, tbody } = gridTable('queues-table', HEADERS, NUMERIC);
  const render = () => {
    const deepest = Math.max(1, ...state.queues.map((queue) => queue.messages));
    const queues = [...state.queues].sort(
      (a, b) => b.messages - a.messages || a.name.localeCompare(b.name),
    );
    tbody.replaceChildren(
      ...(queues.length > 0
        ? queues.map((queue) =>
            h(
              'tr',
              { 'data-testid': 'queue-row', 'data-queue': queue.name },
              h('td', { class: 'clip' }, queue.name),
              h('td', { class: 'num' }, queue.messages.toLocaleString()),
              h(
                'td',
                { class: 'depth-cell' },
                h(
                  'div',
                  { class: 'depth' },
                  h('div', {
                    class: 'depth-fill',
                    style: `width:${(queue.messages / deepest) * 100}%`,
                  }),
                ),
              ),
              h(
                'td',
                { class: `num ${queue.consumers === 0 ? 'error-text' : ''}` },
                queue.consumers,
              ),
              h('td', { class: 'num' }, formatRate(queue.publishRate)),
              h('td', { class: 'num' }, formatRate(queue.deliverRate)),
            ),
          )
        : [emptyRow(HEADERS.length, 'No queues known yet.')]),
    );
  };
  const unsubscribe = state.queuesChanged.subscribe(render);
  render();
  return {
    element,
    destroy: unsubscribe,
  };
}
