import { h } from '../dom';

/**
 * A `grid` table in its scrolling wrapper, with a header row (the labels in
 * `numeric` right-aligned) and an empty body for the caller to fill.
 */
export function gridTable(
  testId: string,
  headers: readonly string[],
  numeric: ReadonlySet<string>,
): { element: HTMLDivElement; tbody: HTMLTableSectionElement } {
  const tbody = h('tbody');
  const element = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid', 'data-testid': testId },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...headers.map((label) =>
            h('th', numeric.has(label) ? { class: 'num' } : {}, label),
          ),
        ),
      ),
      tbody,
    ),
  );
  return { element, tbody };
}

/** The one row a table shows when it has nothing to list. */
export function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h('tr', {}, h('td', { colspan: columns, class: 'empty' }, text));
}
