/** Swagger examples of `POST /v1/workflows`, one per canvas shape. */
export const WORKFLOW_EXAMPLES: Record<
  string,
  { summary: string; value: unknown }
> = {
  chainWithGroup: {
    summary: 'chain; a group followed by a step becomes a chord',
    value: {
      chain: [
        { task: 'add_task', args: [2, 3] },
        {
          group: [
            { task: 'multi_task', args: [2] },
            { task: 'multi_task', args: [3] },
          ],
        },
        { task: 'sum_task' },
      ],
    },
  },
  groupOfChains: {
    summary: 'group of chains',
    value: {
      group: [
        {
          chain: [
            { task: 'add_task', args: [1, 2] },
            { task: 'multi_task', args: [2] },
          ],
        },
        {
          chain: [
            { task: 'add_task', args: [3, 4] },
            { task: 'multi_task', args: [3] },
          ],
        },
      ],
    },
  },
  chordOfNestedHeader: {
    summary: 'chord whose header holds a chain, a group and a chord',
    value: {
      chord: {
        header: [
          {
            chain: [
              { task: 'add_task', args: [1, 2] },
              { task: 'multi_task', args: [10] },
            ],
          },
          {
            group: [
              { task: 'add_task', args: [1, 1] },
              { task: 'add_task', args: [2, 2] },
            ],
          },
          {
            chord: {
              header: [{ task: 'add_task', args: [3, 3] }],
              body: { task: 'sum_task' },
            },
          },
        ],
        body: { task: 'sum_task' },
      },
    },
  },
  chainOfChords: {
    summary: 'chain of two chords',
    value: {
      chain: [
        {
          chord: {
            header: [
              { task: 'add_task', args: [1, 1] },
              { task: 'add_task', args: [2, 2] },
            ],
            body: { task: 'sum_task' },
          },
        },
        {
          chord: {
            header: [
              { task: 'add_task', args: [10] },
              { task: 'multi_task', args: [2] },
            ],
            body: { task: 'sum_task' },
          },
        },
      ],
    },
  },
  map: {
    summary: 'task.map(it): one celery.map task',
    value: {
      map: {
        task: 'sum_task',
        it: [
          [1, 2],
          [3, 4],
        ],
      },
    },
  },
  starmap: {
    summary: 'task.starmap(it): one celery.starmap task',
    value: {
      starmap: {
        task: 'add_task',
        it: [
          [1, 2],
          [3, 4],
        ],
      },
    },
  },
  chunks: {
    summary: 'task.chunks(it, n): a group of celery.starmap tasks',
    value: {
      chunks: {
        task: 'add_task',
        it: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        n: 2,
      },
    },
  },
  linkAndLinkError: {
    summary:
      "link (callback, gets the result) and link_error (errback, gets the failed task's id)",
    value: {
      task: 'add_task',
      args: [1, 2],
      link: { task: 'multi_task', args: [10] },
      link_error: [{ task: 'errback_task' }],
    },
  },
};
