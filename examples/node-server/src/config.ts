import type { BackendPreference } from '@crazy-digits/core';
import type { WorkerThreadsRetrainerOptions } from '@crazy-digits/node-adapter';

/** A per-client request budget: at most `max` requests per `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** What {@link buildServer} needs. Only `dataDir` is required. */
export interface ServerConfig {
  /** Where corrections and model versions are kept (created if missing). */
  dataDir: string;
  /** Largest request body in bytes; larger gets 413 before it is read. Default 1 MiB. */
  bodyLimit?: number;
  /** Largest image side in pixels, checked from the PNG/JPEG header before decoding. Default 4096. */
  maxImageSide?: number;
  /** Corrections a client may post per window. Default 120 a minute. */
  correctionsRateLimit?: RateLimit;
  /** Retrains a client may start per window. Default 5 a minute. */
  retrainsRateLimit?: RateLimit;
  /** Per-user recognisers kept loaded; the least recently used idle one is unloaded past this. Default 32. */
  maxActiveUsers?: number;
  /** Retrained model versions kept per scope. Default 5. */
  keepVersions?: number;
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

/** Where {@link ServerConfig} comes from in `main.ts`, plus where to listen. */
export interface StartConfig extends ServerConfig {
  port: number;
  host: string;
}

const MIB = 1024 * 1024;

export const DEFAULTS = {
  bodyLimit: MIB,
  maxImageSide: 4096,
  correctionsRateLimit: { max: 120, windowMs: 60_000 },
  retrainsRateLimit: { max: 5, windowMs: 60_000 },
  maxActiveUsers: 32,
  keepVersions: 5,
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

/** Reads the configuration from environment variables (see the README's table). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const perMinute = (name: string, fallback: RateLimit): RateLimit => ({
    max: integer(env, name, fallback.max, 1),
    windowMs: 60_000,
  });
  const level = env.LOG_LEVEL ?? 'info';
  return {
    port: integer(env, 'PORT', 3000, 0),
    host: env.HOST || '127.0.0.1',
    dataDir: env.DATA_DIR || './data',
    bodyLimit: integer(env, 'BODY_LIMIT', DEFAULTS.bodyLimit, 1024),
    maxImageSide: integer(env, 'MAX_IMAGE_SIDE', DEFAULTS.maxImageSide, 8),
    correctionsRateLimit: perMinute('CORRECTIONS_PER_MINUTE', DEFAULTS.correctionsRateLimit),
    retrainsRateLimit: perMinute('RETRAINS_PER_MINUTE', DEFAULTS.retrainsRateLimit),
    maxActiveUsers: integer(env, 'MAX_ACTIVE_USERS', DEFAULTS.maxActiveUsers, 1),
    ...(env.DECODE_THREADS?.trim() ? { decodeThreads: integer(env, 'DECODE_THREADS', 0, 0) } : {}),
    logLevel: level === 'silent' ? false : level,
  };
}
