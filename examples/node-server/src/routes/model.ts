import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../auth/access.js';
import { HttpError } from '../errors.js';
import { errorResponses, type ScopeQuery, scopeQuery, versionSchema } from '../schemas.js';
import type { RouteContext } from '../server.js';

const versionAnswer = {
  200: { type: 'object', required: ['version'], properties: { version: { type: 'string' } } },
  ...errorResponses,
} as const;

export function modelRoutes(app: FastifyInstance, { scopes, jobs }: RouteContext): void {
  app.get<{ Querystring: ScopeQuery }>(
    '/api/model',
    {
      schema: {
        summary: 'The served model: version, held-out accuracy, kept versions',
        tags: ['model'],
        querystring: scopeQuery,
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
      scopes.use(scopeOf(request, request.query.scope, false), async (scope) => {
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

  app.post<{ Body: { version?: string }; Querystring: ScopeQuery }>(
    '/api/model/rollback',
    {
      // The body is optional: none means "the version before the current one".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Serve a kept version again: `version`, or the one before the current one',
        description: "Cancels the scope's running or queued retrains first, so none can undo it.",
        tags: ['model'],
        querystring: scopeQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: versionAnswer,
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, true);
      const version = await jobs.exclusive(userId, () =>
        scopes.use(userId, (scope) => scope.recognizer.rollback(request.body.version)),
      );
      if (version === undefined)
        throw new HttpError(409, 'NO_EARLIER_VERSION', 'there is no earlier version');
      return { version };
    },
  );

  app.post<{ Querystring: ScopeQuery }>(
    '/api/model/reset',
    {
      schema: {
        summary: 'Serve the shipped model again (kept as a new version; the others stay)',
        description: "Cancels the scope's running or queued retrains first, so none can undo it.",
        tags: ['model'],
        querystring: scopeQuery,
        response: versionAnswer,
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, true);
      const version = await jobs.exclusive(userId, () =>
        scopes.use(userId, (scope) => scope.recognizer.resetModel()),
      );
      return { version };
    },
  );
}
