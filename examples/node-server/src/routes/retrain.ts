import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../auth/access.js';
import { HttpError } from '../errors.js';
import { errorResponses, jobSchema, type ScopeQuery, scopeQuery } from '../schemas.js';
import type { RouteContext } from '../server.js';

export function retrainRoutes(app: FastifyInstance, { jobs, config, rateLimit }: RouteContext): void {
  app.post<{ Querystring: ScopeQuery }>(
    '/api/retrain',
    {
      config: rateLimit(config.retrainsRateLimit),
      schema: {
        summary: 'Fold the corrections into the model, in the background',
        description:
          'Queues a retrain job (one runs at a time, in a worker thread) and answers at once. ' +
          'Poll `GET /api/retrain/{id}`: a candidate that passes the validation gate is served from then on.',
        tags: ['model'],
        querystring: scopeQuery,
        response: {
          202: {
            type: 'object',
            required: ['jobId', 'state'],
            properties: { jobId: { type: 'string' }, state: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const job = jobs.submit(scopeOf(request, request.query.scope, true));
      return reply
        .code(202)
        .header('location', `/api/retrain/${job.id}`)
        .send({ jobId: job.id, state: job.state });
    },
  );

  app.get<{ Params: { id: string }; Querystring: ScopeQuery }>(
    '/api/retrain/:id',
    {
      schema: {
        summary: "A retrain job's progress and the gate's verdict",
        tags: ['model'],
        querystring: scopeQuery,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const userId = scopeOf(request, request.query.scope, true);
      const job = jobs.get(request.params.id);
      if (!job || job.userId !== userId) {
        throw new HttpError(404, 'JOB_NOT_FOUND', 'no such retrain job in this scope');
      }
      return job;
    },
  );
}
