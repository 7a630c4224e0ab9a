import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../problem/problem.dto';
import { addBearerAuth } from '../security';
import { documentProblemMediaType } from './problem-media-type';

/** Swagger UI at /docs, the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const config = addBearerAuth(new DocumentBuilder())
    .setTitle('celeriac api')
    .setDescription(
      "Publishes tasks to RabbitMQ in Celery's wire format and reads their results from Redis.",
    )
    .setVersion('0.1.0')
    .build();
  const document = documentProblemMediaType(
    SwaggerModule.createDocument(app, config, {
      extraModels: [ProblemDto],
    }),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
  });
}
