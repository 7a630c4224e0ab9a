import type {
  MediaTypeObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';

const METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;

// Streams have no JSON schema to give; their description says what flows.
const STREAM_TYPE = 'text/event-stream';

/**
 * Every way the document's operations fall short of "a summary, a schema
 * per response code, and an example", one line per offence, as
 * `METHOD /path: what is missing`.
 */
export function auditOperations(document: OpenAPIObject): string[] {
  return eachOperation(document, (operation) =>
    auditOperation(document, operation),
  );
}

/**
 * Every 4xx and 5xx response that is not what ProblemDetailsFilter sends:
 * a ProblemDto as application/problem+json, and nothing else.
 */
export function auditProblems(
  document: OpenAPIObject,
  problemMediaType: string,
  problemRef: string,
): string[] {
  return eachOperation(document, (operation) =>
    Object.entries(operation.responses ?? {})
      .filter(([code]) => Number(code) >= 400)
      .flatMap(([code, declared]) => {
        const response = resolveResponse(document, declared);
        const content = Object.entries(response?.content ?? {});
        const [mediaType, media] = content[0] ?? [];
        const ref =
          media?.schema && '$ref' in media.schema ? media.schema.$ref : '';
        return content.length === 1 &&
          mediaType === problemMediaType &&
          ref === problemRef
          ? []
          : [`${code} is not only ${problemMediaType} ${problemRef}`];
      }),
  );
}

function eachOperation(
  document: OpenAPIObject,
  audit: (operation: OperationObject) => string[],
): string[] {
  const offences: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const offence of audit(operation)) {
          offences.push(`${where}: ${offence}`);
        }
      }
    }
  }
  return offences;
}

function auditOperation(
  document: OpenAPIObject,
  operation: OperationObject,
): string[] {
  const offences: string[] = [];
  if (!operation.summary?.trim()) {
    offences.push('no summary');
  }
  const responses = Object.entries(operation.responses ?? {});
  if (responses.length === 0) {
    offences.push('no responses');
  }
  for (const [code, declared] of responses) {
    const response = resolveResponse(document, declared);
    if (!response) {
      offences.push(`${code}: unresolvable response`);
      continue;
    }
    offences.push(
      ...auditResponse(document, code, response).map(
        (offence) => `${code} ${offence}`,
      ),
    );
  }
  return offences;
}

function auditResponse(
  document: OpenAPIObject,
  code: string,
  response: ResponseObject,
): string[] {
  const content = Object.entries(response.content ?? {});
  if (content.length === 0) {
    // A 204 has no body to describe.
    return code === '204' ? [] : ['has no content'];
  }
  const offences: string[] = [];
  for (const [mediaType, media] of content) {
    if (mediaType === STREAM_TYPE) {
      if (!response.description?.trim()) {
        offences.push(`${mediaType}: a stream without a description`);
      }
    } else if (!media.schema) {
      offences.push(`${mediaType}: no schema`);
    } else if (!mediaHasExample(document, media)) {
      offences.push(`${mediaType}: no example`);
    }
  }
  return offences;
}

function mediaHasExample(
  document: OpenAPIObject,
  media: MediaTypeObject,
): boolean {
  return (
    media.example !== undefined ||
    Object.keys(media.examples ?? {}).length > 0 ||
    (media.schema !== undefined &&
      schemaHasExample(document, media.schema, new Set()))
  );
}

/**
 * The schema has an example, or is built only of parts that have: every
 * property (following `$ref`s), an array's items, every alternative.
 */
function schemaHasExample(
  document: OpenAPIObject,
  schema: SchemaObject | ReferenceObject,
  seen: Set<string>,
): boolean {
  if ('$ref' in schema) {
    // A cycle adds nothing the first visit has not judged.
    if (seen.has(schema.$ref)) {
      return true;
    }
    const target = resolveSchema(document, schema.$ref);
    return (
      target !== undefined &&
      schemaHasExample(document, target, new Set(seen).add(schema.$ref))
    );
  }
  if (
    schema.example !== undefined ||
    Object.keys(schema.examples ?? {}).length > 0
  ) {
    return true;
  }
  const parts: (SchemaObject | ReferenceObject)[] = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.allOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.anyOf ?? []),
  ];
  if (schema.type === 'array' && schema.items) {
    parts.push(schema.items);
  }
  return (
    parts.length > 0 &&
    parts.every((part) => schemaHasExample(document, part, seen))
  );
}

function resolveSchema(
  document: OpenAPIObject,
  ref: string,
): SchemaObject | ReferenceObject | undefined {
  const prefix = '#/components/schemas/';
  return ref.startsWith(prefix)
    ? document.components?.schemas?.[ref.slice(prefix.length)]
    : undefined;
}

function resolveResponse(
  document: OpenAPIObject,
  declared: ResponseObject | ReferenceObject | undefined,
): ResponseObject | undefined {
  if (!declared || !('$ref' in declared)) {
    return declared;
  }
  const prefix = '#/components/responses/';
  const found = declared.$ref.startsWith(prefix)
    ? document.components?.responses?.[declared.$ref.slice(prefix.length)]
    : undefined;
  return found && !('$ref' in found) ? found : undefined;
}
