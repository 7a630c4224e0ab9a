import type { SignatureDict, SignatureOptions } from '@celeriac/broker';

/**
 * A task call that has not been sent yet (Celery's `Signature`, §B.5).
 * Immutable: every change returns a new signature.
 *
 * @example
 * const step = signature('multi_task', [10]);      // add_task.s(10)
 * const fixed = immutableSignature('add_task', [1, 2]); // add_task.si(1, 2)
 */
export class Signature {
  constructor(
    readonly task: string,
    readonly args: readonly unknown[] = [],
    readonly kwargs: Readonly<Record<string, unknown>> = {},
    readonly options: Readonly<SignatureOptions> = {},
    readonly immutable = false,
  ) {}

  /** A copy with more options (a later key wins). */
  withOptions(options: SignatureOptions): Signature {
    return new Signature(
      this.task,
      this.args,
      this.kwargs,
      { ...this.options, ...options },
      this.immutable,
    );
  }

  /** Celery's `sig.link(callback)`: a copy applying `callback` after success. */
  link(callback: Signature): Signature {
    return this.withOptions({
      link: [...listOption(this.options.link), callback.toDict()],
    });
  }

  /** Celery's `sig.on_error(errback)`: a copy applying `errback` on failure. */
  onError(errback: Signature): Signature {
    return this.withOptions({
      link_error: [...listOption(this.options.link_error), errback.toDict()],
    });
  }

  /** The dict Celery puts in `embed` (key order as Python writes it). */
  toDict(): SignatureDict {
    return {
      task: this.task,
      args: [...this.args],
      kwargs: { ...this.kwargs },
      options: { ...this.options },
      subtask_type: null,
      immutable: this.immutable,
    };
  }

  /** Reads a signature dict from a message (`embed.chain`, `embed.chord`). */
  static fromDict(dict: SignatureDict): Signature {
    return new Signature(
      dict.task,
      Array.isArray(dict.args) ? dict.args : [],
      dict.kwargs ?? {},
      dict.options ?? {},
      dict.immutable === true,
    );
  }
}

/** `task.s(*args, **kwargs)`: a signature whose args a parent may extend. */
export function signature(
  task: string,
  args: readonly unknown[] = [],
  kwargs: Record<string, unknown> = {},
  options: SignatureOptions = {},
): Signature {
  return new Signature(task, args, kwargs, options, false);
}

/** `task.si(*args, **kwargs)`: a signature that ignores its parent's result. */
export function immutableSignature(
  task: string,
  args: readonly unknown[] = [],
  kwargs: Record<string, unknown> = {},
  options: SignatureOptions = {},
): Signature {
  return new Signature(task, args, kwargs, options, true);
}

function listOption(
  value: SignatureDict | SignatureDict[] | undefined,
): SignatureDict[] {
  if (Array.isArray(value)) {
    return value;
  }
  return value ? [value] : [];
}
