import { HttpStatus } from '@nestjs/common';
import type { ProblemExample } from '../problem/api-problem-response';
import { ProblemCode } from '../problem/problem-details.filter';
import type { BatchSubmittedDto } from './dto/submit-batch.dto';

// Swagger's examples of POST /v1/tasks/batch.

const IDS = [
  '265caae7-9b57-43bf-ba0c-01eb3ae21630',
  '7d9ab1a2-3c44-4f3e-9a51-0c6e2b8f0d11',
];

/** 202: both tasks sent. */
export const BATCH_ACCEPTED_EXAMPLE: BatchSubmittedDto = {
  results: IDS.map((id, index) => ({
    index,
    task_id: id,
    status_url: `/v1/tasks/${id}`,
  })),
};

/** 207: the second task refused, the first and third sent. */
export const BATCH_PARTIAL_EXAMPLE: BatchSubmittedDto = {
  results: [
    { index: 0, task_id: IDS[0], status_url: `/v1/tasks/${IDS[0]}` },
    {
      index: 1,
      error: {
        status: HttpStatus.BAD_REQUEST,
        code: ProblemCode.ValidationFailed,
        detail: 'The task has invalid fields.',
        errors: [
          { field: 'countdown', message: 'countdown must not be less than 0' },
        ],
      },
    },
    { index: 2, task_id: IDS[1], status_url: `/v1/tasks/${IDS[1]}` },
    {
      index: 3,
      error: {
        status: HttpStatus.UNPROCESSABLE_ENTITY,
        code: ProblemCode.TaskNotRegistered,
        detail:
          'Unregistered task: send_email; send ?unchecked=true for tasks only Python workers know.',
      },
    },
  ],
};

/** 422: atomic: true, one task refused, nothing sent. */
export const BATCH_REJECTED_EXAMPLE: ProblemExample = {
  code: ProblemCode.BatchRejected,
  detail: '1 of 3 tasks refused; with atomic: true nothing was sent.',
  instance: '/v1/tasks/batch',
  errors: [
    {
      field: 'tasks[1].countdown',
      message: 'countdown must not be less than 0',
    },
  ],
};
