import type { FastifyInstance } from 'fastify';
import { createPredictionBatcher } from '../batcher.js';
import {
  errorResponses,
  imageProperty,
  predictionSchema,
  type UserHeaders,
  userHeaders,
} from '../schemas.js';
import type { RouteContext } from '../server.js';

export function predictRoutes(app: FastifyInstance, { scopes, decode }: RouteContext): void {
  const predict = createPredictionBatcher();
  app.post<{ Body: { image: string }; Headers: UserHeaders }>(
    '/api/predict',
    {
      schema: {
        summary: 'Recognise a drawn digit',
        tags: ['recognition'],
        headers: userHeaders,
        body: {
          type: 'object',
          required: ['image'],
          properties: { image: imageProperty },
        },
        response: { 200: predictionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const image = await decode(request.body.image);
      return scopes.use(request.headers['x-user-id'], async (scope) => {
        const { digit, confidence, probabilities, uncertain } = await predict(scope, image);
        return { digit, confidence, probabilities, uncertain, modelVersion: scope.modelVersion() };
      });
    },
  );
}
