import type { SignatureDict, TaskMessage } from '../protocol/celery-message';
import {
  readWireFixture,
  type CapturedMessage,
} from '../../../../test/utils/wire-fixtures';
import {
  canvasFieldOf,
  OUTLINE_GROUP_MEMBERS,
  readCanvasField,
} from './canvas-outline';

/** What python3-celery 5.2.6 published for nested canvases. */
const captured = readWireFixture<{
  cases: Record<string, CapturedMessage[]>;
}>('msg-nested.json').cases;

function messageOf(capture: CapturedMessage): TaskMessage {
  const [args, kwargs, embed] = JSON.parse(capture.body_utf8) as [
    unknown[],
    Record<string, unknown>,
    TaskMessage['embed'],
  ];
  return {
    headers: capture.properties.headers as TaskMessage['headers'],
    properties: capture.properties,
    args,
    kwargs,
    embed,
  };
}

function task(name: string, id: string | null, options = {}): SignatureDict {
  return {
    task: name,
    args: [],
    kwargs: {},
    options: id === null ? options : { task_id: id, ...options },
    subtask_type: null,
    immutable: false,
  };
}

function plain(embed: Partial<TaskMessage['embed']> = {}): TaskMessage {
  return {
    headers: {
      id: 't1',
      task: 'add_task',
      group: null,
      group_index: null,
    } as unknown as TaskMessage['headers'],
    properties: {} as TaskMessage['properties'],
    args: [],
    kwargs: {},
    embed: {
      callbacks: null,
      errbacks: null,
      chain: null,
      chord: null,
      ...embed,
    },
  };
}

describe('canvasFieldOf', () => {
  it('is null for a task outside any canvas, so its event stays as Celery sends it', () => {
    expect(canvasFieldOf(plain())).toBeNull();
  });

  it("outlines Python Celery's chain > chord: the chord's header and body, in running order", () => {
    const [first] = captured.group_in_chain;
    const field = canvasFieldOf(messageOf(first));
    expect(field).toEqual({
      chain: [
        {
          chord: '30352235-8c7d-4323-b49f-3511ac80489a',
          header: [
            { task: 'add_task', id: '5f7c6f9e-1321-49ab-87ed-e672406feee6' },
            { task: 'multi_task', id: '7bfd842c-10a2-4bdd-aa05-c86a2bc093ed' },
          ],
          size: 2,
          body: {
            task: 'sum_task',
            id: 'cf48f683-e9ee-4315-99bc-31926bf0ec45',
          },
        },
      ],
    });
  });

  it("gives a chord header member its group and the body it joins (Python's message)", () => {
    const member = captured.chord_header_chain[1];
    expect(canvasFieldOf(messageOf(member))).toEqual({
      group: '3553eaf2-c597-402f-b4ac-9917d8c3b265',
      group_index: 1,
      chord: { task: 'sum_task', id: '15a12a83-cf81-446e-bfc1-53458b3c213a' },
    });
  });

  it('reads embed.chain as a stack (last runs next) and a body with steps after it', () => {
    const body = task('sum_task', 'b', {
      // Celery's body.options.chain, a stack too.
      chain: [task('last', 'z'), task('after', 'y')],
    });
    const field = canvasFieldOf(
      plain({ chain: [task('third', 'c'), task('second', 'b2')], chord: body }),
    );
    expect(field?.chain).toEqual([
      { task: 'second', id: 'b2' },
      { task: 'third', id: 'c' },
    ]);
    expect(field?.chord).toEqual({
      chain: [
        { task: 'sum_task', id: 'b' },
        { task: 'after', id: 'y' },
        { task: 'last', id: 'z' },
      ],
    });
  });

  it('lists links and errbacks, ids or not', () => {
    const field = canvasFieldOf(messageOf(captured.link[0]));
    expect(field).toEqual({
      link: [{ task: 'multi_task', id: null }],
      link_error: [{ task: 'sum_task', id: null }],
    });
  });

  it('lists at most OUTLINE_GROUP_MEMBERS of a big group, and says how big it is', () => {
    const members = Array.from({ length: 10_000 }, (_, i) =>
      task('add_task', `m${i}`),
    );
    const group: SignatureDict = {
      task: 'celery.group',
      args: [],
      kwargs: { tasks: members },
      options: { task_id: 'g' },
      subtask_type: 'group',
      immutable: false,
    };
    const field = canvasFieldOf(plain({ chain: [group] }));
    const [outline] = field?.chain ?? [];
    expect(outline).toMatchObject({ group: 'g', size: 10_000 });
    expect((outline as { members: unknown[] }).members).toHaveLength(
      OUTLINE_GROUP_MEMBERS,
    );
  });

  it('stops at its node budget on a long chain, and says so', () => {
    const steps = Array.from({ length: 5000 }, (_, i) => task('s', `s${i}`));
    const field = canvasFieldOf(plain({ chain: steps }));
    expect(field?.truncated).toBe(true);
    expect(field?.chain?.length).toBeLessThan(5000);
  });
});

describe('readCanvasField', () => {
  it('reads back what canvasFieldOf wrote, through JSON', () => {
    for (const captures of Object.values(captured)) {
      for (const capture of captures) {
        const field = canvasFieldOf(messageOf(capture));
        const read = readCanvasField(JSON.parse(JSON.stringify(field)));
        expect(read).toEqual(field);
      }
    }
  });

  it('drops what is malformed instead of trusting it', () => {
    expect(readCanvasField(null)).toBeNull();
    expect(readCanvasField('chain')).toBeNull();
    expect(readCanvasField({ chain: 'x', group: 7 })).toBeNull();
    expect(
      readCanvasField({
        chain: [{ task: 'a', id: 'a' }, 5, { members: 'no' }, { weird: 1 }],
        chord: { header: [{ task: 'h', id: 'h' }] },
      }),
    ).toEqual({ chain: [{ task: 'a', id: 'a' }] });
  });
});
