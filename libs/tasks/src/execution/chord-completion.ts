import { Injectable } from '@nestjs/common';
import {
  exceptionRepr,
  pythonJsonStringify,
  type TaskMessage,
} from '@celeriac/broker';
import {
  ChordRepository,
  ResultRepository,
  TaskState,
} from '@celeriac/results';
import type { CanvasContext } from '../canvas/canvas-plan';
import {
  chordResultId,
  planChordBody,
  planChordErrbacks,
} from '../canvas/chord-body';
import { PlanPublisher } from '../producer/plan-publisher';

/**
 * Celery's `on_chord_part_return` for the Redis backend (§C.7): records a
 * header task's outcome; the worker that records the last part publishes
 * the body with every result, or fails it with ChordError.
 */
@Injectable()
export class ChordCompletion {
  constructor(
    private readonly chords: ChordRepository,
    private readonly results: ResultRepository,
    private readonly publisher: PlanPublisher,
  ) {}

  async partReturned(
    message: TaskMessage,
    state: TaskState,
    result: unknown,
    context: CanvasContext,
  ): Promise<void> {
    const { chord } = message.embed;
    const { group, group_index, id } = message.headers;
    if (!chord || !group) {
      return;
    }
    const progress = await this.chords.addPart(
      group,
      group_index,
      pythonJsonStringify([1, id, state, result]),
    );
    if (
      progress.size === null ||
      progress.readyCount !== progress.size + progress.added
    ) {
      return;
    }
    const parts = await this.chords.readParts(group);
    const culprit = parts.find(
      (part) =>
        part.state === (TaskState.Failure as string) ||
        part.state === (TaskState.Revoked as string),
    );
    if (culprit) {
      const bodyId = chordResultId(chord);
      if (typeof bodyId === 'string') {
        await this.results.storeResult(
          bodyId,
          TaskState.Failure,
          {
            exc_type: 'ChordError',
            exc_message: [
              `Dependency ${culprit.taskId} raised ${exceptionRepr(culprit.result, 'full') ?? 'Exception()'}`,
            ],
            exc_module: 'celery.exceptions',
          },
          { parentId: id },
        );
      }
      const errbacks = planChordErrbacks(message, chord, context);
      if (errbacks) {
        await this.publisher.publish(errbacks);
      }
    } else {
      await this.publisher.publish(
        planChordBody(
          message,
          chord,
          parts.map((part) => part.result),
          context,
        ),
      );
    }
    await this.chords.delete(group);
  }
}
