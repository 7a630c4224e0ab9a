import type { CanvasNode } from '@celeriac/tasks';
import { parseWorkflow } from './workflow.parser';

function parsed(body: unknown): CanvasNode {
  const outcome = parseWorkflow(body);
  if (!outcome.ok) {
    throw new Error(JSON.stringify(outcome.errors));
  }
  return outcome.workflow;
}

describe(parseWorkflow.name, () => {
  it('accepts groups and chords whose members are chains, groups and chords', () => {
    const node = parsed({
      chord: {
        header: [
          {
            chain: [
              { task: 'add_task', args: [1, 2] },
              { task: 'multi_task', args: [3] },
            ],
          },
          { group: [{ task: 'add_task', args: [1, 1] }] },
          {
            chord: {
              header: [{ task: 'add_task', args: [2, 2] }],
              body: { task: 'sum_task' },
            },
          },
        ],
        body: { group: [{ task: 'sum_task' }] },
      },
    });
    expect(node).toMatchObject({
      kind: 'chord',
      header: [{ kind: 'chain' }, { kind: 'group' }, { kind: 'chord' }],
      body: { kind: 'group' },
    });
  });

  it('reads map, starmap and chunks as Celery builds them', () => {
    expect(parsed({ map: { task: 'sum_task', it: [[1, 2]] } })).toMatchObject({
      kind: 'task',
      signature: {
        task: 'celery.map',
        kwargs: { it: [[1, 2]], task: { task: 'sum_task' } },
      },
    });
    expect(
      parsed({ starmap: { task: 'add_task', it: [[1, 2]] } }),
    ).toMatchObject({
      kind: 'task',
      signature: { task: 'celery.starmap' },
    });
    const chunked = parsed({
      chunks: {
        task: 'add_task',
        it: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        n: 2,
      },
    });
    expect(chunked).toMatchObject({
      kind: 'group',
      members: [
        {
          signature: {
            task: 'celery.starmap',
            kwargs: {
              it: [
                [1, 2],
                [3, 4],
              ],
            },
          },
        },
        { signature: { task: 'celery.starmap', kwargs: { it: [[5, 6]] } } },
      ],
    });
  });

  it("puts link on a chain's last step and link_error on every step, as Celery does", () => {
    const node = parsed({
      chain: [
        { task: 'add_task', args: [1, 2] },
        { task: 'multi_task', args: [3] },
      ],
      link: { task: 'sum_task' },
      link_error: [{ task: 'errback_task' }],
    });
    if (node.kind !== 'chain') {
      throw new Error('not a chain');
    }
    const [first, last] = node.steps.map((step) =>
      step.kind === 'task' ? step.signature.options : {},
    );
    expect(first.link).toBeUndefined();
    expect(last.link).toEqual([expect.objectContaining({ task: 'sum_task' })]);
    expect(first.link_error).toEqual([
      expect.objectContaining({ task: 'errback_task' }),
    ]);
    expect(last.link_error).toEqual([
      expect.objectContaining({ task: 'errback_task' }),
    ]);
  });

  it("gives a chord's link_error to its header tasks too when allowErrorCbOnChordHeader is set", () => {
    const body = {
      chord: {
        header: [{ task: 'add_task', args: [1, 1] }],
        body: { task: 'sum_task' },
      },
      link_error: { task: 'errback_task' },
    };
    const headerErrbacks = (allow: boolean) => {
      const outcome = parseWorkflow(body, { allowErrorCbOnChordHeader: allow });
      if (!outcome.ok || outcome.workflow.kind !== 'chord') {
        throw new Error('not a chord');
      }
      const [first] = outcome.workflow.header;
      return first.kind === 'task'
        ? first.signature.options.link_error
        : 'not a task';
    };

    expect(headerErrbacks(false)).toBeUndefined();
    expect(headerErrbacks(true)).toEqual([
      expect.objectContaining({
        task: 'errback_task',
        options: { immutable: true },
        immutable: false,
      }),
    ]);
  });

  it('names the path of each bad node', () => {
    const outcome = parseWorkflow({
      group: [
        {
          chord: {
            header: [{ task: 'add_task' }, { chain: [] }],
            body: { task: 1 },
          },
        },
        { chunks: { task: 'add_task', it: [1], n: 0 } },
        { task: 'add_task', link: [{ task: 'ok_task' }, { nope: true }] },
      ],
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? [] : outcome.errors.map(({ field }) => field)).toEqual([
      'body.group[0].chord.header[1].chain',
      'body.group[0].chord.body.task',
      'body.group[1].chunks.it[0]',
      'body.group[1].chunks.n',
      'body.group[2].link[1]',
      'body.group[2].link[1].task',
    ]);
  });
});
