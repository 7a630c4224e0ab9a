import { HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import {
  INTERNAL_ERROR_DETAIL,
  ProblemCode,
  titleOf,
} from './problem-details.filter';
import type { DependencyCheck } from '@celeriac/config';
import { type FieldErrorDto, ProblemDto } from './problem.dto';

/** The media type ProblemDetailsFilter answers every error with. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** One problem a route may answer with, as its Swagger example shows it. */
export interface ProblemExample {
  code: ProblemCode;
  detail: string;
  /** A request that gets this problem. */
  instance: string;
  errors?: FieldErrorDto[];
  checks?: Record<string, DependencyCheck>;
}

/**
 * Documents a 4xx or 5xx problem body: a ProblemDto, with an example named
 * after its code. Several on one status of the same class or method add up
 * (Nest joins their descriptions and examples); a method's replace its
 * class's for that status. setupSwagger lists them as
 * application/problem+json, which decorators alone cannot say.
 */
export function ApiProblemResponse(
  status: HttpStatus,
  description: string,
  example: ProblemExample,
): MethodDecorator & ClassDecorator {
  const value: ProblemDto = {
    type: 'about:blank',
    title: titleOf(status),
    status,
    detail: example.detail,
    instance: example.instance,
    code: example.code,
    ...(example.errors ? { errors: example.errors } : {}),
    ...(example.checks ? { checks: example.checks } : {}),
  };
  return ApiResponse({
    status,
    description,
    type: ProblemDto,
    examples: { [example.code]: { summary: description, value } },
  });
}

/** The 500 of a route that needs RabbitMQ or Redis; its detail says no more. */
export function ApiInternalProblemResponse(
  description: string,
  instance: string,
): MethodDecorator & ClassDecorator {
  return ApiProblemResponse(HttpStatus.INTERNAL_SERVER_ERROR, description, {
    code: ProblemCode.InternalError,
    detail: INTERNAL_ERROR_DETAIL,
    instance,
  });
}
