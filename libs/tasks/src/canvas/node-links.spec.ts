import { chain, chord, onError } from './builders';
import { signature } from './signature';
import type { CanvasNode } from './workflow';

const errback = signature('errback_task');

function optionsOf(node: CanvasNode) {
  if (node.kind !== 'task') {
    throw new Error(`not a task: ${node.kind}`);
  }
  return node.signature.options;
}

describe('onError on a chord', () => {
  const canvas = () =>
    chord(
      [
        signature('add_task', [1, 1]),
        chain(signature('add_task', [1, 2]), signature('multi_task', [2])),
      ],
      signature('sum_task'),
    );

  it("links the errback to the body only, as Celery's default", () => {
    const linked = onError(canvas(), errback);
    if (linked.kind !== 'chord') {
      throw new Error('not a chord');
    }

    expect(optionsOf(linked.body).link_error).toEqual([errback.toDict()]);
    expect(optionsOf(linked.header[0]).link_error).toBeUndefined();
  });

  it("with allowErrorCbOnChordHeader, links Celery's copy to every header task too", () => {
    const linked = onError(canvas(), errback, {
      allowErrorCbOnChordHeader: true,
    });
    if (linked.kind !== 'chord' || linked.header[1].kind !== 'chain') {
      throw new Error('not a chord with a chain');
    }
    // `errback.clone(immutable=True)`: an option, not the immutable flag.
    const copy = { ...errback.toDict(), options: { immutable: true } };

    expect(optionsOf(linked.body).link_error).toEqual([errback.toDict()]);
    expect(optionsOf(linked.header[0]).link_error).toEqual([copy]);
    // A chain in the header: every step, as Celery's chain.link_error.
    for (const step of linked.header[1].steps) {
      expect(optionsOf(step).link_error).toEqual([copy]);
    }
  });
});
