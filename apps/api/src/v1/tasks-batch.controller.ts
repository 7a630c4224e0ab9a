import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  ParseBoolPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PartiallyPublishedError, TaskProducer } from '@celeriac/tasks';
import { Idempotent } from '../idempotency';
import { ApiProblemResponse } from '../problem/api-problem-response';
import {
  ApiPublishUnavailableProblems,
  DEPENDENCY_RETRY_AFTER_SECONDS,
} from '../problem/dependency.problems';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { ApiJsonBodyProblems, ApiKeyAuth } from '../security';
import {
  batchRejected,
  type CheckedItem,
  itemErrorOf,
  ParseBatchBodyPipe,
  validateBatchItem,
} from './batch-items';
import {
  BATCH_ACCEPTED_EXAMPLE,
  BATCH_PARTIAL_EXAMPLE,
  BATCH_REJECTED_EXAMPLE,
} from './batch.examples';
import {
  type BatchItemErrorDto,
  type BatchItemResultDto,
  BatchSubmittedDto,
  MAX_BATCH_TASKS,
  SubmitBatchDto,
} from './dto/submit-batch.dto';
import { sendTaskOptionsOf, type SubmitTaskDto } from './dto/submit-task.dto';
import { RequestSendScope, type SendScope, SendPolicy } from './send-policy';

const INSTANCE = '/v1/tasks/batch';

/** A task of a batch the broker confirmed only in part: this one was not. */
const NOT_CONFIRMED: BatchItemErrorDto = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  code: ProblemCode.BrokerUnavailable,
  detail:
    'RabbitMQ did not confirm this task in time (the others of the batch were). Send it again.',
};

/** SubmitBatchDto's shape, as ParseBatchBodyPipe checked it. */
interface SubmitBatchBody {
  tasks: unknown[];
  atomic?: boolean;
}

/**
 * Bulk submit: many `POST /v1/tasks` bodies in one request, sent as one
 * plan (one Redis round trip for the PENDING marks, then every
 * publish with confirms), answered per item in order.
 */
@ApiKeyAuth()
@ApiTags('v1 tasks')
@Controller('v1/tasks')
@ApiPublishUnavailableProblems(INSTANCE)
export class TasksBatchController {
  constructor(
    private readonly producer: TaskProducer,
    private readonly sendPolicy: SendPolicy,
  ) {}

  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary: `Submit up to ${MAX_BATCH_TASKS} tasks at once, each with its own options`,
    description:
      '202 when every task was sent; 207 when some were refused (each refused item carries its error, the others were sent). ' +
      'When RabbitMQ confirms only some tasks, also 207: each unconfirmed task carries a 503 BROKER_UNAVAILABLE error, with Retry-After. ' +
      'With atomic: true any refused task refuses the batch with 422 and nothing is sent. ' +
      'A broker or Redis outage is a 503 for the whole batch, and nothing stays PENDING (except the confirmed tasks of a 207).',
  })
  @ApiQuery({
    name: 'unchecked',
    required: false,
    type: Boolean,
    description:
      'Send even tasks no celeriac worker declares (Python-only tasks)',
  })
  // The body's type is an interface (see ParseBatchBodyPipe): named here.
  @ApiBody({ type: SubmitBatchDto })
  @ApiAcceptedResponse({
    type: BatchSubmittedDto,
    description: 'Every task was sent',
    example: BATCH_ACCEPTED_EXAMPLE,
  })
  @ApiResponse({
    status: HttpStatus.MULTI_STATUS,
    type: BatchSubmittedDto,
    description: 'Some tasks were refused; only the others were sent',
    example: BATCH_PARTIAL_EXAMPLE,
  })
  @ApiProblemResponse(HttpStatus.BAD_REQUEST, 'tasks is empty or no list', {
    code: ProblemCode.ValidationFailed,
    detail: 'The request has invalid fields.',
    instance: INSTANCE,
    errors: [
      { field: 'tasks', message: 'tasks must contain at least 1 elements' },
    ],
  })
  @ApiJsonBodyProblems(INSTANCE)
  @ApiProblemResponse(
    HttpStatus.PAYLOAD_TOO_LARGE,
    `Over ${MAX_BATCH_TASKS} tasks`,
    {
      code: ProblemCode.BatchTooLarge,
      detail: `A batch holds at most ${MAX_BATCH_TASKS} tasks; this one has 1500.`,
      instance: INSTANCE,
    },
  )
  @ApiProblemResponse(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'atomic: true and some tasks refused; nothing was sent',
    BATCH_REJECTED_EXAMPLE,
  )
  @ApiProblemResponse(
    HttpStatus.FORBIDDEN,
    'This API key may not send ?unchecked=true',
    {
      code: ProblemCode.Forbidden,
      detail:
        'This API key may not send ?unchecked=true: list it as <key>:unchecked in API_KEYS.',
      instance: `${INSTANCE}?unchecked=true`,
    },
  )
  async submitBatch(
    @Body(ParseBatchBodyPipe) body: SubmitBatchBody,
    @Query('unchecked', new ParseBoolPipe({ optional: true }))
    unchecked: boolean | undefined,
    @RequestSendScope() scope: SendScope,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<BatchSubmittedDto> {
    if (body.tasks.length > MAX_BATCH_TASKS) {
      throw new ProblemException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ProblemCode.BatchTooLarge,
        `A batch holds at most ${MAX_BATCH_TASKS} tasks; this one has ${body.tasks.length}.`,
      );
    }
    // The key's scope is the request's, not an item's: refused as a whole.
    this.sendPolicy.check(scope, { tasks: [], queues: [], unchecked });
    const checked = body.tasks.map((raw, index) =>
      this.checkItem(raw, index, scope, unchecked),
    );
    const refused = checked.filter((item) => 'error' in item);
    if (body.atomic === true && refused.length > 0) {
      throw batchRejected(refused, checked.length);
    }
    const accepted = checked.filter((item) => 'task' in item);
    const sent = await this.send(accepted);
    // send answers in the order it was given: the accepted items'.
    let next = 0;
    const results = checked.map((item): BatchItemResultDto => {
      if ('error' in item) {
        return { index: item.index, error: item.error };
      }
      const taskId = sent.taskIds[next++];
      if (sent.failed.has(taskId)) {
        return { index: item.index, error: NOT_CONFIRMED };
      }
      return {
        index: item.index,
        task_id: taskId,
        status_url: `/v1/tasks/${taskId}`,
      };
    });
    if (refused.length > 0 || sent.failed.size > 0) {
      response.status(HttpStatus.MULTI_STATUS);
    }
    if (sent.failed.size > 0) {
      response.header('retry-after', String(DEPENDENCY_RETRY_AFTER_SECONDS));
    }
    return { results };
  }

  // The accepted tasks' ids, and those the broker did not confirm when it
  // confirmed some (all unconfirmed is a 503, thrown as it came).
  private async send(
    accepted: readonly { task: SubmitTaskDto }[],
  ): Promise<{ taskIds: readonly string[]; failed: ReadonlySet<string> }> {
    if (accepted.length === 0) {
      return { taskIds: [], failed: new Set() };
    }
    try {
      const taskIds = await this.producer.sendMany(
        accepted.map(({ task }) => ({
          task: task.task,
          options: sendTaskOptionsOf(task),
        })),
      );
      return { taskIds, failed: new Set() };
    } catch (error) {
      if (error instanceof PartiallyPublishedError) {
        return { taskIds: error.taskIds, failed: error.failedIds };
      }
      throw error;
    }
  }

  private checkItem(
    raw: unknown,
    index: number,
    scope: SendScope,
    unchecked: boolean | undefined,
  ): CheckedItem {
    const item = validateBatchItem(raw, index);
    if ('error' in item) {
      return item;
    }
    try {
      this.sendPolicy.check(scope, {
        tasks: [item.task.task],
        queues: [item.task.queue],
        unchecked,
      });
      return item;
    } catch (error) {
      if (error instanceof ProblemException) {
        return { index, error: itemErrorOf(error) };
      }
      throw error;
    }
  }
}
