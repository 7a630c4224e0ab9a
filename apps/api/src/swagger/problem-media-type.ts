import {
  getSchemaPath,
  type MediaTypeObject,
  type OpenAPIObject,
  type OperationObject,
} from '@nestjs/swagger';
import { PROBLEM_MEDIA_TYPE } from '../problem/api-problem-response';
import { ProblemDto } from '../problem/problem.dto';

/**
 * Lists every ProblemDto response as application/problem+json, the type
 * ProblemDetailsFilter sends. Nest documents a response under the route's
 * own media types (application/json, or text/event-stream for SSE), and a
 * decorator that set the content itself would lose the examples Nest merges
 * from several decorators on one status.
 */
export function documentProblemMediaType(
  document: OpenAPIObject,
): OpenAPIObject {
  const operations = Object.values(document.paths).flatMap((item) =>
    [item.get, item.put, item.post, item.delete, item.patch].filter(
      (operation): operation is OperationObject => operation !== undefined,
    ),
  );
  for (const operation of operations) {
    for (const response of Object.values(operation.responses)) {
      if (!response || '$ref' in response || !response.content) {
        continue;
      }
      const problem = Object.values(response.content).find(isProblem);
      if (problem) {
        response.content = { [PROBLEM_MEDIA_TYPE]: problem };
      }
    }
  }
  return document;
}

function isProblem(media: MediaTypeObject): boolean {
  return (
    media.schema !== undefined &&
    '$ref' in media.schema &&
    media.schema.$ref === getSchemaPath(ProblemDto)
  );
}
