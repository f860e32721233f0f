import type { BackendPreference } from '@crazy-digits/core';
import type { WorkerThreadsRetrainerOptions } from '@crazy-digits/node-adapter';

/** A per-client request budget: at most `max` requests per `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** What {@link buildServer} needs. Only `dataDir` is required. */
export interface ServerConfig {
  /** Where corrections, model versions and `api-keys.json` are kept (created if missing). */
  dataDir: string;
  /**
   * A PostgreSQL connection string: corrections, model versions and API keys are then kept in
   * that database, shared with every other instance given the same one, instead of in `dataDir`.
   */
  databaseUrl?: string;
  /** The database schema (lower-case letters, digits, `_`) the instances share. Default `crazy_digits`. */
  databaseSchema?: string;
  /** Whether `POST /api/predict` answers requests without an API key, with the global model. Default `true`. */
  anonymousPredict?: boolean;
  /**
   * Origins (`https://app.example`) whose browsers may call the state-changing routes, besides
   * the server's own. A request with any other `Origin` gets 403. Default none.
   */
  allowedOrigins?: string[];
  /** Largest request body in bytes, chunked or not; larger gets 413. Default 1 MiB. */
  bodyLimit?: number;
  /** Largest image side in pixels, checked from the PNG/JPEG header before decoding. Default 1024. */
  maxImageSide?: number;
  /** Predictions a client (API key, or IP address without one) may ask for per window. Default 600 a minute. */
  predictRateLimit?: RateLimit;
  /** Corrections a client may post per window. Default 120 a minute. */
  correctionsRateLimit?: RateLimit;
  /** Retrains a client may start per window. Default 5 a minute. */
  retrainsRateLimit?: RateLimit;
  /** Every other request (reads, removals, rollbacks, the page, the docs) per client per window. Default 300 a minute. */
  requestsRateLimit?: RateLimit;
  /** Images waiting for or in decoding at once; past this, requests get 503 with `Retry-After`. Default 64. */
  maxQueuedDecodes?: number;
  /** Per-user recognisers kept loaded; the least recently used idle one is unloaded past this. Default 32. */
  maxActiveUsers?: number;
  /** Retrained model versions kept per scope. Default 5. */
  keepVersions?: number;
  /** Most time (ms) a client has to send a whole request, headers and body; then 408. Default 30,000. */
  requestTimeoutMs?: number;
  /** Most time (ms) a client has to send the request headers. Default 10,000. */
  headersTimeoutMs?: number;
  /** How long (ms) an idle keep-alive connection stays open. Default 5,000. */
  keepAliveTimeoutMs?: number;
  /** The TensorFlow.js backend. Default `'auto'`. */
  backend?: BackendPreference;
  /** Options of the worker-thread retrainer (steps, gate, learning rate…). */
  retrainer?: WorkerThreadsRetrainerOptions;
  /**
   * Threads that decode and preprocess images beside the event loop; `0` decodes on it.
   * Default: one per core beyond the first, at least one.
   */
  decodeThreads?: number;
  /** pino log level, or `false` for no logs. Default `'info'`. */
  logLevel?: string | false;
}

/** Where {@link ServerConfig} comes from in `main.ts`, plus where to listen and how long to stop. */
export interface StartConfig extends ServerConfig {
  port: number;
  host: string;
  /** After SIGTERM, requests in flight get this long (ms) to finish; then the process exits. */
  shutdownTimeoutMs: number;
}

const MIB = 1024 * 1024;
const perMinute = (max: number): RateLimit => ({ max, windowMs: 60_000 });

export const DEFAULTS = {
  anonymousPredict: true,
  bodyLimit: MIB,
  maxImageSide: 1024,
  predictRateLimit: perMinute(600),
  correctionsRateLimit: perMinute(120),
  retrainsRateLimit: perMinute(5),
  requestsRateLimit: perMinute(300),
  maxQueuedDecodes: 64,
  maxActiveUsers: 32,
  keepVersions: 5,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
} as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer of at least ${min}, got "${text}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim();
  if (!text) return fallback;
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw new Error(`${name} must be 1 or 0, got "${text}"`);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Reads the configuration from environment variables (see the README's table). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const limit = (name: string, fallback: RateLimit): RateLimit =>
    perMinute(integer(env, name, fallback.max, 1));
  const level = env.LOG_LEVEL ?? 'info';
  const host = env.HOST || '127.0.0.1';
  return {
    port: integer(env, 'PORT', 3000, 0),
    host,
    dataDir: env.DATA_DIR || './data',
    ...(env.DATABASE_URL?.trim() ? { databaseUrl: env.DATABASE_URL.trim() } : {}),
    ...(env.DATABASE_SCHEMA?.trim() ? { databaseSchema: env.DATABASE_SCHEMA.trim() } : {}),
    // Open predictions suit the local demo; a server others can reach asks for a key unless told.
    anonymousPredict: flag(env, 'ANONYMOUS_PREDICT', LOOPBACK.has(host)),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    bodyLimit: integer(env, 'BODY_LIMIT', DEFAULTS.bodyLimit, 1024),
    maxImageSide: integer(env, 'MAX_IMAGE_SIDE', DEFAULTS.maxImageSide, 8),
    predictRateLimit: limit('PREDICTS_PER_MINUTE', DEFAULTS.predictRateLimit),
    correctionsRateLimit: limit('CORRECTIONS_PER_MINUTE', DEFAULTS.correctionsRateLimit),
    retrainsRateLimit: limit('RETRAINS_PER_MINUTE', DEFAULTS.retrainsRateLimit),
    requestsRateLimit: limit('REQUESTS_PER_MINUTE', DEFAULTS.requestsRateLimit),
    maxQueuedDecodes: integer(env, 'MAX_QUEUED_DECODES', DEFAULTS.maxQueuedDecodes, 1),
    maxActiveUsers: integer(env, 'MAX_ACTIVE_USERS', DEFAULTS.maxActiveUsers, 1),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 100),
    headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs, 100),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 100),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULTS.shutdownTimeoutMs, 0),
    ...(env.DECODE_THREADS?.trim() ? { decodeThreads: integer(env, 'DECODE_THREADS', 0, 0) } : {}),
    logLevel: level === 'silent' ? false : level,
  };
}
