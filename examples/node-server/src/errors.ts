import { isCrazyDigitsError } from '@crazy-digits/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An error this server answers with on purpose: an HTTP status and a stable `code`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** HTTP status of each library error code a request can cause. */
const STATUS_OF_CODE: Record<string, number> = {
  INVALID_IMAGE: 400,
  EMPTY_IMAGE: 400,
  IMAGE_TOO_LARGE: 400,
  INVALID_DATA_URL: 400,
  UNSUPPORTED_IMAGE_FORMAT: 400,
  ENCODED_IMAGE_TOO_LARGE: 413,
  INVALID_CORRECTION: 400,
  MODEL_VERSION_NOT_FOUND: 404,
  STORE_CLOSED: 503,
  RECOGNIZER_DISPOSED: 503,
};

/** The HTTP status a library error `code` gets, if a request can cause it. */
export function statusOfLibraryCode(code: string): number | undefined {
  return STATUS_OF_CODE[code];
}

/** Body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/** Which code a schema validation failure gets: the library's, where one names the problem. */
function validationCode(error: FastifyError): string {
  if (error.validationContext === 'headers') return 'INVALID_USER_ID';
  const path = error.validation?.[0]?.instancePath ?? '';
  if (error.validationContext === 'body' && path === '/label') return 'INVALID_CORRECTION';
  if (error.validationContext === 'body' && path === '/image') return 'INVALID_IMAGE';
  return 'INVALID_REQUEST';
}

/** Fastify's own errors (body too large, bad JSON, wrong content type) as `{ error: { code, message } }`. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
};

/**
 * The one error handler: library errors by their `code`, schema failures as 400, Fastify's
 * limits by their status, anything else as a logged 500 that tells the client nothing more.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) return reply.code(error.statusCode).send(body(error.code, error.message));
  if (isCrazyDigitsError(error)) {
    const status = STATUS_OF_CODE[error.code];
    if (status !== undefined) {
      if (status >= 500) request.log.warn({ err: error }, 'request failed while shutting down');
      return reply.code(status).send(body(error.code, error.message));
    }
  }
  if (error.validation) {
    return reply.code(400).send(body(validationCode(error), error.message));
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const code = FASTIFY_CODES[error.code] ?? 'INVALID_REQUEST';
    return reply.code(status).send(body(code, error.message));
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send(body('INTERNAL', 'the server could not complete the request'));
}
