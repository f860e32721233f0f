import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { Keyring, Principal } from './api-keys.js';

/** Who may call a route without a key: everyone (`public`), or anyone when anonymous predictions are on. */
export type AuthPolicy = 'public' | 'predict' | 'key';

declare module 'fastify' {
  interface FastifyRequest {
    /** The owner of the request's API key; `undefined` for an anonymous request. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Default: `key` under `/api/`, `public` elsewhere. */
    auth?: AuthPolicy;
  }
}

export interface AccessOptions {
  keyring: Keyring;
  anonymousPredict: boolean;
  allowedOrigins: readonly string[];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A browser sends `Origin` with every cross-site POST and DELETE; only the server's own origin
 * and the allowed ones may change anything. Without `Origin`, `Sec-Fetch-Site: cross-site`
 * still gives a cross-site request away.
 */
function checkOrigin(request: FastifyRequest, allowed: ReadonlySet<string>): void {
  const origin = request.headers.origin;
  if (origin === undefined) {
    if (request.headers['sec-fetch-site'] !== 'cross-site') return;
  } else {
    const host = request.headers.host ?? '';
    if (origin === `http://${host}` || origin === `https://${host}` || allowed.has(origin)) return;
  }
  throw new HttpError(403, 'ORIGIN_NOT_ALLOWED', 'requests from this origin may not change anything');
}

/**
 * A state-changing request must say `Content-Type: application/json`: an HTML form cannot send
 * it across sites, and a script can only after a CORS preflight this server never approves.
 */
function checkJson(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'state-changing requests must be application/json');
}

/**
 * Authentication and cross-site protection, before a byte of the body is read: a key in
 * `Authorization: Bearer <key>` names the request's user (401 for an invalid one); a route
 * that needs a key answers 401 without one.
 */
export function installAccessControl(app: FastifyInstance, options: AccessOptions): void {
  const allowed = new Set(options.allowedOrigins);
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const isApi = request.routeOptions.url?.startsWith('/api/') ?? false;
    if (STATE_CHANGING.has(request.method)) {
      checkOrigin(request, allowed);
      if (isApi) checkJson(request);
    }
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const key = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      const principal = key === undefined ? undefined : options.keyring.authenticate(key);
      if (!principal) throw new HttpError(401, 'INVALID_API_KEY', 'the API key is not valid');
      request.principal = principal;
      return;
    }
    const policy = request.routeOptions.config.auth ?? (isApi ? 'key' : 'public');
    if (policy === 'public' || (policy === 'predict' && options.anonymousPredict)) return;
    throw new HttpError(401, 'API_KEY_REQUIRED', 'this route needs an API key: Authorization: Bearer <key>');
  });
}

/**
 * The scope a request works in: its key's user, or the global scope for `?scope=global` (which
 * `admin` routes allow to admin keys only) and for anonymous predictions.
 */
export function scopeOf(
  request: FastifyRequest,
  scope: 'user' | 'global' | undefined,
  globalNeedsAdmin: boolean,
): string | undefined {
  const { principal } = request;
  if (!principal) {
    if (scope === 'user') throw new HttpError(401, 'API_KEY_REQUIRED', 'a user scope needs an API key');
    return undefined;
  }
  if (scope !== 'global') return principal.user;
  if (globalNeedsAdmin && principal.role !== 'admin')
    throw new HttpError(403, 'FORBIDDEN', 'only an admin key may work in the global scope');
  return undefined;
}
