import { availableParallelism } from 'node:os';
import { createWorkerThreadsRetrainer } from '@crazy-digits/node-adapter';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULTS, type RateLimit, type ServerConfig } from './config.js';
import { createDecoder } from './decode/pool.js';
import { type ErrorBody, HttpError, handleError } from './errors.js';
import { createRetrainQueue, type RetrainQueue } from './jobs.js';
import { correctionRoutes } from './routes/corrections.js';
import { modelRoutes } from './routes/model.js';
import { pageRoutes } from './routes/page.js';
import { predictRoutes } from './routes/predict.js';
import { retrainRoutes } from './routes/retrain.js';
import { errorSchema } from './schemas.js';
import { openScopes, type Scopes } from './scopes.js';

/** The configuration with every default filled in. */
export interface ResolvedConfig extends Required<Omit<ServerConfig, 'retrainer' | 'backend' | 'logLevel'>> {
  correctionsRateLimit: RateLimit;
  retrainsRateLimit: RateLimit;
}

/** What the route modules share. */
export interface RouteContext {
  config: ResolvedConfig;
  scopes: Scopes;
  jobs: RetrainQueue;
  /**
   * Decodes a client's PNG/JPEG string with the server's limits, never as a file path, and
   * preprocesses it: the 28x28 digit `predict` and `correct` take.
   */
  decode(image: string): Promise<Float32Array>;
}

/** One decoding thread per core beyond the event loop's, and at least one. */
export function defaultDecodeThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The crazy-digits HTTP API on Fastify, ready to `listen()` or `inject()`. Opens the stores under
 * `config.dataDir` and loads the global model first; `close()` stops taking requests, lets the
 * ones in flight finish (their writes included), cancels a running retrain and closes the stores.
 */
export async function buildServer(config: ServerConfig): Promise<FastifyInstance> {
  const resolved: ResolvedConfig = {
    dataDir: config.dataDir,
    bodyLimit: config.bodyLimit ?? DEFAULTS.bodyLimit,
    maxImageSide: config.maxImageSide ?? DEFAULTS.maxImageSide,
    correctionsRateLimit: config.correctionsRateLimit ?? DEFAULTS.correctionsRateLimit,
    retrainsRateLimit: config.retrainsRateLimit ?? DEFAULTS.retrainsRateLimit,
    maxActiveUsers: config.maxActiveUsers ?? DEFAULTS.maxActiveUsers,
    keepVersions: config.keepVersions ?? DEFAULTS.keepVersions,
    decodeThreads: config.decodeThreads ?? defaultDecodeThreads(),
  };
  const logLevel = config.logLevel ?? 'info';
  const app = Fastify({
    logger: logLevel === false ? false : { level: logLevel },
    bodyLimit: resolved.bodyLimit,
  });

  const retrainer = createWorkerThreadsRetrainer({ backend: config.backend ?? 'auto', ...config.retrainer });
  let scopes: Scopes;
  try {
    scopes = await openScopes({
      dataDir: resolved.dataDir,
      retrainer,
      maxActiveUsers: resolved.maxActiveUsers,
      keepVersions: resolved.keepVersions,
      backend: config.backend ?? 'auto',
      maxImageSide: resolved.maxImageSide,
    });
  } catch (error) {
    retrainer.dispose();
    await app.close();
    throw error;
  }
  const jobs = createRetrainQueue(scopes, app.log);
  const decoder = createDecoder(resolved.decodeThreads, {
    maxSide: resolved.maxImageSide,
    maxBytes: resolved.bodyLimit,
  });
  // Runs once requests in flight have finished: no write is cut short.
  app.addHook('onClose', async () => {
    await decoder.close();
    await jobs.close();
    await scopes.close();
    retrainer.dispose();
  });

  const context: RouteContext = {
    config: resolved,
    scopes,
    jobs,
    decode: (image) => decoder.decode(image),
  };

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    };
    return reply.code(404).send(body);
  });
  app.addSchema(errorSchema);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `too many requests; retry in ${context.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'crazy-digits',
        description:
          'Handwritten digit recognition that learns from corrections. Send `x-user-id` for a personal model.',
        version: '0.0.0',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  pageRoutes(app);
  predictRoutes(app, context);
  correctionRoutes(app, context);
  retrainRoutes(app, context);
  modelRoutes(app, context);
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and a few gauges',
        tags: ['health'],
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              backend: { type: 'string' },
              modelVersion: { type: 'string' },
              activeUsers: { type: 'integer' },
              pendingRetrains: { type: 'integer' },
            },
          },
        },
      },
    },
    async () =>
      scopes.use(undefined, async (scope) => ({
        status: 'ok',
        backend: scopes.backend,
        modelVersion: scope.modelVersion(),
        activeUsers: scopes.activeUsers,
        pendingRetrains: jobs.pending,
      })),
  );
  return app;
}
