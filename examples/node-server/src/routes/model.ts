import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { errorResponses, type UserHeaders, userHeaders, versionSchema } from '../schemas.js';
import type { RouteContext } from '../server.js';

export function modelRoutes(app: FastifyInstance, { scopes }: RouteContext): void {
  app.get<{ Headers: UserHeaders }>(
    '/api/model',
    {
      schema: {
        summary: 'The served model: version, held-out accuracy, kept versions',
        tags: ['model'],
        headers: userHeaders,
        response: {
          200: {
            type: 'object',
            required: ['version', 'heldOutAccuracy', 'retraining', 'history'],
            properties: {
              version: { type: 'string' },
              heldOutAccuracy: {
                type: ['number', 'null'],
                description:
                  'Measured by the validation gate when the version was trained; null for the shipped model.',
              },
              retraining: { type: 'boolean' },
              history: { type: 'array', items: versionSchema, description: 'Kept versions, oldest first.' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) =>
      scopes.use(request.headers['x-user-id'], async (scope) => {
        const history = await scope.recognizer.versions();
        const version = scope.modelVersion();
        const current = history.find((entry) => entry.version === version);
        return {
          version,
          heldOutAccuracy: current?.metrics?.heldOutAccuracy ?? null,
          retraining: scope.recognizer.retraining,
          history,
        };
      }),
  );

  app.post<{ Body: { version?: string }; Headers: UserHeaders }>(
    '/api/model/rollback',
    {
      // The body is optional: none means "the version before the current one".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Serve a kept version again: `version`, or the one before the current one',
        tags: ['model'],
        headers: userHeaders,
        body: { type: 'object', properties: { version: { type: 'string', maxLength: 128 } } },
        response: {
          200: { type: 'object', required: ['version'], properties: { version: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request) =>
      scopes.use(request.headers['x-user-id'], async (scope) => {
        const version = await scope.recognizer.rollback(request.body.version);
        if (version === undefined)
          throw new HttpError(409, 'NO_EARLIER_VERSION', 'there is no earlier version');
        return { version };
      }),
  );
}
