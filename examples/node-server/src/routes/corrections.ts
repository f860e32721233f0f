import type { Correction } from '@crazy-digits/core';
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../auth/access.js';
import { HttpError } from '../errors.js';
import {
  correctionSummarySchema,
  errorResponses,
  imageProperty,
  type ScopeQuery,
  scopeQuery,
} from '../schemas.js';
import type { RouteContext } from '../server.js';

/** A correction without its 784-value image. */
const summary = ({ id, label, createdAt, sessionId, modelVersion, predicted }: Correction) => ({
  id,
  label,
  createdAt,
  ...(sessionId === undefined ? {} : { sessionId }),
  ...(modelVersion === undefined ? {} : { modelVersion }),
  ...(predicted === undefined ? {} : { predicted }),
});

export function correctionRoutes(
  app: FastifyInstance,
  { scopes, decode, config, rateLimit }: RouteContext,
): void {
  app.post<{ Body: { image: string; label: number; sessionId?: string }; Querystring: ScopeQuery }>(
    '/api/corrections',
    {
      config: rateLimit(config.correctionsRateLimit),
      schema: {
        summary: 'Store a correction: the image is the digit `label`',
        description:
          'Answers 201 once the correction is durably on disk; it counts for the next prediction at once.',
        tags: ['corrections'],
        querystring: scopeQuery,
        body: {
          type: 'object',
          required: ['image', 'label'],
          additionalProperties: false,
          properties: {
            image: imageProperty,
            label: { type: 'integer', minimum: 0, maximum: 9 },
            sessionId: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
        response: {
          201: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const userId = scopeOf(request, request.query.scope, true);
      const { image, label, sessionId } = request.body;
      const pixels = await decode(image);
      const { id } = await scopes.use(userId, (scope) =>
        scope.recognizer.correct(pixels, label, sessionId === undefined ? {} : { sessionId }),
      );
      return reply.code(201).header('location', `/api/corrections/${id}`).send({ id });
    },
  );

  app.get<{ Querystring: ScopeQuery & { limit?: string; cursor?: string } }>(
    '/api/corrections',
    {
      schema: {
        summary: 'List corrections, oldest first, a page at a time',
        tags: ['corrections'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...scopeQuery.properties,
            limit: {
              type: 'string',
              pattern: '^(1000|[1-9][0-9]{0,2})$',
              description: '1–1000; default 100.',
            },
            cursor: {
              type: 'string',
              pattern: '^\\d{1,16}$',
              description: 'The `nextCursor` of the previous page.',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: {
              items: { type: 'array', items: correctionSummarySchema },
              nextCursor: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, true);
      const { limit, cursor } = request.query;
      const page = await scopes.use(userId, (scope) =>
        scope.recognizer.store.list({
          limit: limit === undefined ? 100 : Number(limit),
          ...(cursor === undefined ? {} : { cursor }),
          ...(userId === undefined ? {} : { userId }),
        }),
      );
      return {
        items: page.items.map(summary),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  );

  app.delete<{ Params: { id: string }; Querystring: ScopeQuery }>(
    '/api/corrections/:id',
    {
      schema: {
        summary: 'Remove a correction (it stops counting at once)',
        tags: ['corrections'],
        querystring: scopeQuery,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128 } } },
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const userId = scopeOf(request, request.query.scope, true);
      const { id } = request.params;
      await scopes.use(userId, async (scope) => {
        // Another scope's correction is as unknown here as one that never existed.
        const correction = await scope.recognizer.store.get(id);
        if (!correction || correction.userId !== userId || !(await scope.recognizer.removeCorrection(id))) {
          throw new HttpError(404, 'CORRECTION_NOT_FOUND', 'no such correction in this scope');
        }
      });
      return reply.code(204).send();
    },
  );
}
