import { DocumentBuilder } from '@nestjs/swagger';
import { addBearerAuth, API_KEY_SCHEME } from './swagger-bearer';

describe(addBearerAuth.name, () => {
  it('declares the http bearer scheme', () => {
    const document = addBearerAuth(new DocumentBuilder()).build();
    expect(document.components?.securitySchemes?.[API_KEY_SCHEME]).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
  });
});
