/** Problem details of the security layer, in one place. */
export const securityMessages = {
  missingKey: () =>
    'This endpoint needs an API key: send Authorization: Bearer <key>.',
  malformedKey: () =>
    'The Authorization header must be Bearer <key>, the key a bearer token.',
  unknownKey: () => 'The API key is not valid.',
  rateLimited: (limit: number, windowSeconds: number, retryAfter: number) =>
    `More than ${limit} requests in ${windowSeconds} s; retry in ${retryAfter} s.`,
  bodyTooLarge: (limit: string) =>
    `The request body is larger than the ${limit} this api accepts.`,
  malformedJson: () => 'The request body is not valid JSON.',
  bodyTooDeep: (limit: number) =>
    `The request body nests arrays and objects more than ${limit} levels deep.`,
};
