import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseBoolPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  InvalidScheduleError,
  type PeriodicSchedule,
  ScheduleExistsError,
  ScheduleNotFoundError,
  ScheduleStore,
  type StoredSchedule,
} from '@celeriac/schedule';
import { ApiUnregisteredTaskProblem } from '../problem/common.problems';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiResultBackendUnavailableProblem } from '../problem/dependency.problems';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { ApiJsonBodyProblems, ApiKeyAuth } from '../security';
import {
  CreateScheduleDto,
  ScheduleBodyDto,
  ScheduleDto,
} from './dto/schedule.dto';
import { ScheduleNamePipe } from './schedule-name.pipe';
import { RequestSendScope, type SendScope, SendPolicy } from './send-policy';

const EXAMPLE = '/v1/schedules/nightly-add';

/**
 * Periodic tasks (Celery beat's schedule), stored as BullMQ job schedulers:
 * beat publishes each tick once, however many replicas run.
 */
@ApiKeyAuth()
@ApiTags('v1 schedules')
@Controller('v1/schedules')
@ApiInternalProblemResponse('An unexpected error', '/v1/schedules')
@ApiResultBackendUnavailableProblem('/v1/schedules')
export class SchedulesController {
  constructor(
    private readonly store: ScheduleStore,
    private readonly sendPolicy: SendPolicy,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a periodic schedule (every N s or cron)' })
  @ApiUnchecked()
  @ApiCreatedResponse({
    type: ScheduleDto,
    description: 'Stored; beat runs it',
  })
  @ApiInvalidSchedule('/v1/schedules')
  @ApiJsonBodyProblems('/v1/schedules')
  @ApiUnregisteredTaskProblem('/v1/schedules')
  @ApiProblemResponse(HttpStatus.CONFLICT, 'The name is taken', {
    code: ProblemCode.ScheduleExists,
    detail: 'A schedule named "nightly-add" exists already.',
    instance: '/v1/schedules',
  })
  async create(
    @Body() body: CreateScheduleDto,
    @RequestSendScope() scope: SendScope,
    @Query('unchecked', new ParseBoolPipe({ optional: true }))
    unchecked?: boolean,
  ): Promise<ScheduleDto> {
    this.sendPolicy.check(scope, {
      tasks: [body.task],
      queues: [body.queue],
      unchecked,
    });
    return present(
      await problemsOf(() => this.store.create(toSchedule(body.name, body))),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Every periodic schedule, the next due first' })
  @ApiOkResponse({ type: [ScheduleDto], description: 'All schedules' })
  async list(): Promise<ScheduleDto[]> {
    return (await this.store.list()).map(present);
  }

  @Get(':name')
  @ApiOperation({ summary: 'One periodic schedule and its next run' })
  @ApiOkResponse({ type: ScheduleDto, description: 'The schedule' })
  @ApiBadName()
  @ApiScheduleNotFound()
  async get(
    @Param('name', ScheduleNamePipe) name: string,
  ): Promise<ScheduleDto> {
    return present(await problemsOf(() => this.store.get(name)));
  }

  @Put(':name')
  @ApiOperation({ summary: 'Replace a periodic schedule' })
  @ApiUnchecked()
  @ApiOkResponse({ type: ScheduleDto, description: 'Replaced' })
  @ApiInvalidSchedule(EXAMPLE)
  @ApiJsonBodyProblems(EXAMPLE)
  @ApiUnregisteredTaskProblem(EXAMPLE)
  @ApiScheduleNotFound()
  async replace(
    @Param('name', ScheduleNamePipe) name: string,
    @Body() body: ScheduleBodyDto,
    @RequestSendScope() scope: SendScope,
    @Query('unchecked', new ParseBoolPipe({ optional: true }))
    unchecked?: boolean,
  ): Promise<ScheduleDto> {
    this.sendPolicy.check(scope, {
      tasks: [body.task],
      queues: [body.queue],
      unchecked,
    });
    return present(
      await problemsOf(() => this.store.replace(toSchedule(name, body))),
    );
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a periodic schedule: no more ticks' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadName()
  @ApiScheduleNotFound()
  async remove(@Param('name', ScheduleNamePipe) name: string): Promise<void> {
    await problemsOf(() => this.store.remove(name));
  }
}

function toSchedule(name: string, body: ScheduleBodyDto): PeriodicSchedule {
  return {
    name,
    task: body.task,
    args: body.args ?? [],
    kwargs: body.kwargs ?? {},
    ...(body.queue === undefined ? {} : { queue: body.queue }),
    ...(body.every === undefined ? {} : { every: body.every }),
    ...(body.cron === undefined ? {} : { cron: body.cron }),
    ...(body.timezone === undefined ? {} : { timezone: body.timezone }),
  };
}

function present(stored: StoredSchedule): ScheduleDto {
  const { nextRunAt, ...rest } = stored;
  return { ...rest, next_run_at: nextRunAt };
}

/** The store's domain errors as the api's problems. */
async function problemsOf<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InvalidScheduleError) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        error.message,
        [{ field: error.field, message: error.message }],
      );
    }
    if (error instanceof ScheduleExistsError) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        ProblemCode.ScheduleExists,
        error.message,
      );
    }
    if (error instanceof ScheduleNotFoundError) {
      throw new ProblemException(
        HttpStatus.NOT_FOUND,
        ProblemCode.NotFound,
        error.message,
      );
    }
    throw error;
  }
}

function ApiUnchecked(): MethodDecorator {
  return ApiQuery({
    name: 'unchecked',
    required: false,
    type: Boolean,
    description:
      'Accept a task no celeriac worker declares (a Python-only task)',
  });
}

function ApiInvalidSchedule(instance: string): MethodDecorator {
  return ApiProblemResponse(
    HttpStatus.BAD_REQUEST,
    'Invalid fields, an invalid cron or timezone, or both every and cron',
    {
      code: ProblemCode.ValidationFailed,
      detail:
        'cron "61 * * * *" is invalid: Constraint error, got value 61 expected range 0-59',
      instance,
      errors: [
        {
          field: 'cron',
          message:
            'cron "61 * * * *" is invalid: Constraint error, got value 61 expected range 0-59',
        },
      ],
    },
  );
}

function ApiBadName(): MethodDecorator {
  return ApiProblemResponse(
    HttpStatus.BAD_REQUEST,
    'The name cannot be a schedule name',
    {
      code: ProblemCode.ValidationFailed,
      detail:
        'A schedule name is 1 to 200 letters, digits or _ . @ - (no colon).',
      instance: '/v1/schedules/a:b',
    },
  );
}

function ApiScheduleNotFound(): MethodDecorator {
  return ApiProblemResponse(HttpStatus.NOT_FOUND, 'No schedule by that name', {
    code: ProblemCode.NotFound,
    detail: 'No schedule named "nightly-add".',
    instance: EXAMPLE,
  });
}
