import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createWorkerThreadsRetrainer } from '@crazy-digits/node-adapter';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAccessControl } from './auth/access.js';
import { fileKeyStorage, type Keyring, openKeyring } from './auth/api-keys.js';
import { type Cluster, openCluster } from './cluster.js';
import { DEFAULTS, type RateLimit, type ServerConfig } from './config.js';
import { createDecoder } from './decode/pool.js';
import type { DecodedImage } from './decode/task.js';
import { type ErrorBody, HttpError, handleError } from './errors.js';
import { createRetrainQueue, type RetrainQueue } from './jobs.js';
import { correctionRoutes } from './routes/corrections.js';
import { modelRoutes } from './routes/model.js';
import { numberRoutes } from './routes/numbers.js';
import { pageRoutes } from './routes/page.js';
import { predictRoutes } from './routes/predict.js';
import { retrainRoutes } from './routes/retrain.js';
import { errorSchema } from './schemas.js';
import { openScopes, type Scopes } from './scopes.js';

/** The configuration with every default filled in. */
export type ResolvedConfig = Required<
  Omit<ServerConfig, 'retrainer' | 'backend' | 'logLevel' | 'databaseUrl' | 'databaseSchema'>
>;

/** What the route modules share. */
export interface RouteContext {
  config: ResolvedConfig;
  /** The `config.rateLimit` of a route allowed `limit` per client. */
  rateLimit(limit: RateLimit): { rateLimit: { max: number; timeWindow: number } };
  scopes: Scopes;
  jobs: RetrainQueue;
  /**
   * Decodes a client's PNG/JPEG string with the server's limits, never as a file path, and
   * preprocesses it: the 28x28 digit `predict` and `correct` take.
   */
  decode(image: string): Promise<Float32Array>;
  /**
   * Decodes a client's PNG/JPEG string as `decode` does (the same limits and queue), without
   * preprocessing: the whole picture `readNumber` and `correctNumber` take.
   */
  decodeImage(image: string): Promise<DecodedImage>;
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
    anonymousPredict: config.anonymousPredict ?? DEFAULTS.anonymousPredict,
    allowedOrigins: config.allowedOrigins ?? [],
    bodyLimit: config.bodyLimit ?? DEFAULTS.bodyLimit,
    maxImageSide: config.maxImageSide ?? DEFAULTS.maxImageSide,
    predictRateLimit: config.predictRateLimit ?? DEFAULTS.predictRateLimit,
    correctionsRateLimit: config.correctionsRateLimit ?? DEFAULTS.correctionsRateLimit,
    retrainsRateLimit: config.retrainsRateLimit ?? DEFAULTS.retrainsRateLimit,
    requestsRateLimit: config.requestsRateLimit ?? DEFAULTS.requestsRateLimit,
    maxQueuedDecodes: config.maxQueuedDecodes ?? DEFAULTS.maxQueuedDecodes,
    maxActiveUsers: config.maxActiveUsers ?? DEFAULTS.maxActiveUsers,
    keepVersions: config.keepVersions ?? DEFAULTS.keepVersions,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
    decodeThreads: config.decodeThreads ?? defaultDecodeThreads(),
  };
  const logLevel = config.logLevel ?? 'info';
  const app = Fastify({
    logger: logLevel === false ? false : { level: logLevel },
    bodyLimit: resolved.bodyLimit,
    // A client trickling its request a byte at a time holds a connection for this long at most.
    requestTimeout: resolved.requestTimeoutMs,
    keepAliveTimeout: resolved.keepAliveTimeoutMs,
    http: {
      // Node enforces neither timeout while the headers one is the longer of the two.
      headersTimeout: Math.min(resolved.headersTimeoutMs, resolved.requestTimeoutMs),
      // How often Node checks the two timeouts above (its default, 30 s, would let them overrun).
      connectionsCheckingInterval: Math.min(1000, resolved.requestTimeoutMs, resolved.headersTimeoutMs),
    },
    ajv: {
      // Strict input: "7", true or [7] is not the integer 7, and an unknown field is an error.
      customOptions: { coerceTypes: false, removeAdditional: false },
    },
  });

  const retrainer = createWorkerThreadsRetrainer({ backend: config.backend ?? 'auto', ...config.retrainer });
  let scopes: Scopes;
  let keyring: Keyring | undefined;
  let cluster: Cluster | undefined;
  try {
    if (config.databaseUrl) cluster = await openCluster(config.databaseUrl, config.databaseSchema);
    else await mkdir(resolved.dataDir, { recursive: true });
    keyring = await openKeyring(cluster ? cluster.keys : fileKeyStorage(resolved.dataDir), {
      onError: (error) =>
        app.log.error({ err: error }, 'could not reload the API keys; keeping the last ones'),
    });
    scopes = await openScopes({
      dataDir: resolved.dataDir,
      retrainer,
      maxActiveUsers: resolved.maxActiveUsers,
      keepVersions: resolved.keepVersions,
      backend: config.backend ?? 'auto',
      maxImageSide: resolved.maxImageSide,
      log: app.log,
      ...(cluster ? { cluster } : {}),
    });
  } catch (error) {
    keyring?.close();
    await cluster?.close();
    retrainer.dispose();
    await app.close();
    throw error;
  }
  const keys = keyring;
  const jobs = createRetrainQueue(scopes, app.log, cluster ? { lock: cluster.lock } : {});
  const decoder = createDecoder({
    threads: resolved.decodeThreads,
    limits: { maxSide: resolved.maxImageSide, maxBytes: resolved.bodyLimit },
    maxQueued: resolved.maxQueuedDecodes,
  });
  // Runs once requests in flight have finished: no write is cut short.
  app.addHook('onClose', async () => {
    keys.close();
    await decoder.close();
    await jobs.close();
    await scopes.close();
    await cluster?.close();
    retrainer.dispose();
  });

  const context: RouteContext = {
    config: resolved,
    rateLimit: ({ max, windowMs }) => ({ rateLimit: { max, timeWindow: windowMs } }),
    scopes,
    jobs,
    decode: (image) => decoder.decode(image),
    decodeImage: (image) => decoder.decodeImage(image),
  };

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    };
    return reply.code(404).send(body);
  });
  app.addSchema(errorSchema);
  // JSON only, and an empty body reads as none (`POST /api/retrain` has nothing to say).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });
  installAccessControl(app, {
    keyring: keys,
    anonymousPredict: resolved.anonymousPredict,
    allowedOrigins: resolved.allowedOrigins,
  });
  // Every route is limited, per API key, or per IP address without one; routes that cost more
  // set a budget of their own.
  await app.register(rateLimit, {
    global: true,
    max: resolved.requestsRateLimit.max,
    timeWindow: resolved.requestsRateLimit.windowMs,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `too many requests; retry in ${context.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'crazy-digits',
        description:
          'Handwritten digit recognition that learns from corrections. Send `Authorization: Bearer <key>` ' +
          "to work in the key's user scope; `?scope=global` works in the global one.",
        version: '0.0.0',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  pageRoutes(app);
  predictRoutes(app, context);
  correctionRoutes(app, context);
  numberRoutes(app, context);
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
