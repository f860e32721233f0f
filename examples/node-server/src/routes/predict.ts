import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../auth/access.js';
import { createPredictionBatcher } from '../batcher.js';
import { errorResponses, imageProperty, predictionSchema, type ScopeQuery, scopeQuery } from '../schemas.js';
import type { RouteContext } from '../server.js';

export function predictRoutes(
  app: FastifyInstance,
  { scopes, decode, config, rateLimit }: RouteContext,
): void {
  const predict = createPredictionBatcher();
  app.post<{ Body: { image: string }; Querystring: ScopeQuery }>(
    '/api/predict',
    {
      config: { auth: 'predict', ...rateLimit(config.predictRateLimit) },
      schema: {
        summary: 'Recognise a drawn digit',
        description:
          "With an API key, the key's user model; without one (when the server allows it) or with " +
          '`?scope=global`, the global model.',
        tags: ['recognition'],
        querystring: scopeQuery,
        body: {
          type: 'object',
          required: ['image'],
          additionalProperties: false,
          properties: { image: imageProperty },
        },
        response: { 200: predictionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, false);
      const image = await decode(request.body.image);
      return scopes.use(userId, async (scope) => {
        const { digit, confidence, probabilities, uncertain } = await predict(scope, image);
        return { digit, confidence, probabilities, uncertain, modelVersion: scope.modelVersion() };
      });
    },
  );
}
