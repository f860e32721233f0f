import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { errorResponses, jobSchema, type UserHeaders, userHeaders } from '../schemas.js';
import type { RouteContext } from '../server.js';

export function retrainRoutes(app: FastifyInstance, { jobs, config }: RouteContext): void {
  app.post<{ Headers: UserHeaders }>(
    '/api/retrain',
    {
      config: {
        rateLimit: { max: config.retrainsRateLimit.max, timeWindow: config.retrainsRateLimit.windowMs },
      },
      schema: {
        summary: 'Fold the corrections into the model, in the background',
        description:
          'Queues a retrain job (one runs at a time, in a worker thread) and answers at once. ' +
          'Poll `GET /api/retrain/{id}`: a candidate that passes the validation gate is served from then on.',
        tags: ['model'],
        headers: userHeaders,
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
      const job = jobs.submit(request.headers['x-user-id']);
      return reply
        .code(202)
        .header('location', `/api/retrain/${job.id}`)
        .send({ jobId: job.id, state: job.state });
    },
  );

  app.get<{ Params: { id: string }; Headers: UserHeaders }>(
    '/api/retrain/:id',
    {
      schema: {
        summary: "A retrain job's progress and the gate's verdict",
        tags: ['model'],
        headers: userHeaders,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = jobs.get(request.params.id);
      if (!job || job.userId !== request.headers['x-user-id']) {
        throw new HttpError(404, 'JOB_NOT_FOUND', `no retrain job "${request.params.id}" in this scope`);
      }
      return job;
    },
  );
}
