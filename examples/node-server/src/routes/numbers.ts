import { isCrazyDigitsError, type ReadNumberOptions } from '@crazy-digits/core';
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../auth/access.js';
import { HttpError } from '../errors.js';
import {
  type DigitsOption,
  digitsOption,
  errorResponses,
  imageProperty,
  MAX_NUMBER_DIGITS,
  numberLengthMismatchSchema,
  numberReadingSchema,
  type ScopeQuery,
  scopeQuery,
} from '../schemas.js';
import type { RouteContext } from '../server.js';

/**
 * The `digits` option as core takes it. The schema checks each count; a range whose `min` is
 * over its `max` is refused here, before the image is decoded.
 */
function readOptions(digits: DigitsOption | undefined): ReadNumberOptions {
  if (digits === undefined) return {};
  if (typeof digits === 'object' && (digits.min ?? 1) > (digits.max ?? MAX_NUMBER_DIGITS)) {
    throw new HttpError(400, 'INVALID_OPTIONS', 'digits.min must not be over digits.max');
  }
  return { digits };
}

export function numberRoutes(
  app: FastifyInstance,
  { scopes, decodeImage, config, rateLimit }: RouteContext,
): void {
  app.post<{ Body: { image: string; digits?: DigitsOption }; Querystring: ScopeQuery }>(
    '/api/read-number',
    {
      // Open to the same callers as /api/predict, on the same budget per client.
      config: { auth: 'predict', ...rateLimit(config.predictRateLimit) },
      schema: {
        summary: 'Read a handwritten number: several digits side by side on one canvas',
        description:
          'The digits left to right, each with its prediction and ink box, and the probability that ' +
          "the whole reading is right. With an API key, the key's user model (their corrections in " +
          'effect); without one (when the server allows anonymous predictions) or with `?scope=global`, ' +
          'the global model.',
        tags: ['recognition'],
        querystring: scopeQuery,
        body: {
          type: 'object',
          required: ['image'],
          additionalProperties: false,
          properties: { image: imageProperty, digits: digitsOption },
        },
        response: { 200: numberReadingSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, false);
      const options = readOptions(request.body.digits);
      const image = await decodeImage(request.body.image);
      return scopes.use(userId, async (scope) => {
        const reading = await scope.recognizer.readNumber(image, options).catch((error: unknown) => {
          if (isCrazyDigitsError(error, 'INVALID_OPTIONS'))
            throw new HttpError(400, 'INVALID_OPTIONS', 'the digits option is not valid');
          throw error;
        });
        return {
          text: reading.text,
          confidence: reading.confidence,
          // Without the 28x28 images the model saw.
          digits: reading.digits.map(({ digit, confidence, uncertain, probabilities, box }) => ({
            digit,
            confidence,
            uncertain,
            probabilities,
            box,
          })),
          modelVersion: scope.modelVersion(),
        };
      });
    },
  );

  app.post<{ Body: { image: string; text: string; sessionId?: string }; Querystring: ScopeQuery }>(
    '/api/number-corrections',
    {
      config: rateLimit(config.correctionsRateLimit),
      schema: {
        summary: 'Store that a drawn number is `text`',
        description:
          'Splits the drawing into `text.length` digits and stores each digit read wrong as an ' +
          'ordinary correction (listed, removed and retrained on like any other). Answers 201 with ' +
          'their ids (none when every digit was read right) once they are durably on disk; they count ' +
          'for the next reading at once. 422 `NUMBER_LENGTH_MISMATCH`, with the boxes found, when the ' +
          'drawing cannot be split into that many digits.',
        tags: ['corrections'],
        querystring: scopeQuery,
        body: {
          type: 'object',
          required: ['image', 'text'],
          additionalProperties: false,
          properties: {
            image: imageProperty,
            text: {
              type: 'string',
              pattern: `^[0-9]{1,${MAX_NUMBER_DIGITS}}$`,
              description: `The number drawn: 1–${MAX_NUMBER_DIGITS} digits 0–9.`,
            },
            sessionId: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['ids'],
            properties: { ids: { type: 'array', items: { type: 'string' } } },
          },
          422: numberLengthMismatchSchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const userId = scopeOf(request, request.query.scope, true);
      const { image, text, sessionId } = request.body;
      const picture = await decodeImage(image);
      const { ids } = await scopes.use(userId, (scope) =>
        scope.recognizer.correctNumber(picture, text, sessionId === undefined ? {} : { sessionId }),
      );
      return reply.code(201).send({ ids });
    },
  );
}
