import { type CrazyDigitsError, isCrazyDigitsError } from '@crazy-digits/core';
import { NumberLengthMismatchError } from '@crazy-digits/core/store-kit';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An error this server answers with on purpose: an HTTP status, a stable `code`, a safe message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Seconds after which a retry may succeed (503, 429): sent as `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Library errors a request or a retrain job can cause: their HTTP status, and the message clients get. The
 * library's own message is logged, never sent: it may name a file or quote a decoder.
 */
const LIBRARY_ERRORS: Record<string, { status: number; message: string }> = {
  INVALID_IMAGE: { status: 400, message: 'the image could not be decoded' },
  EMPTY_IMAGE: { status: 400, message: 'the image is blank: there is no digit to read' },
  IMAGE_TOO_LARGE: { status: 400, message: 'the image is larger than the server accepts' },
  INVALID_DATA_URL: { status: 400, message: 'the image is not a valid base64 data URL' },
  UNSUPPORTED_IMAGE_FORMAT: { status: 400, message: 'only PNG and JPEG images are accepted' },
  ENCODED_IMAGE_TOO_LARGE: { status: 413, message: 'the encoded image is larger than the server accepts' },
  INVALID_CORRECTION: { status: 400, message: 'the correction is not valid' },
  NUMBER_LENGTH_MISMATCH: {
    status: 422,
    message: 'the drawing cannot be split into as many digits as the number has',
  },
  MODEL_VERSION_NOT_FOUND: { status: 404, message: 'no such model version in this scope' },
  STORE_CLOSED: { status: 503, message: 'the server is shutting down' },
  RECOGNIZER_DISPOSED: { status: 503, message: 'the server is shutting down' },
  STORE_DAMAGED: { status: 500, message: 'stored data is damaged; the operator has been told' },
  STORAGE_FAILED: { status: 500, message: 'the server could not read or write its storage' },
  // What a failed retrain job reports.
  NO_CORRECTIONS: { status: 409, message: 'there are no new corrections to retrain on' },
  RETRAIN_WORKER_FAILED: { status: 500, message: 'the retrain worker failed' },
  RETRAINER_DISPOSED: { status: 503, message: 'the server is shutting down' },
};

/** The HTTP status and safe message of a library error `code`, if a request can cause it. */
export function libraryErrorAnswer(code: string): { status: number; message: string } | undefined {
  return LIBRARY_ERRORS[code];
}

/**
 * Body of every error response. A few codes carry more fields beside `code` and `message`:
 * `NUMBER_LENGTH_MISMATCH` its `expected` digit count and the `boxes` the drawing split into.
 */
export interface ErrorBody {
  error: { code: string; message: string; [field: string]: unknown };
}

const body = (code: string, message: string, fields: Record<string, unknown> = {}): ErrorBody => ({
  error: { code, message, ...fields },
});

/** The fields of a library error a client needs to act on it (numbers and boxes: nothing private). */
function fieldsOf(error: CrazyDigitsError): Record<string, unknown> {
  if (error instanceof NumberLengthMismatchError) return { expected: error.expected, boxes: error.boxes };
  return {};
}

/** Which code a schema validation failure gets: the library's, where one names the problem. */
function validationCode(error: FastifyError): string {
  const path = error.validation?.[0]?.instancePath ?? '';
  if (error.validationContext === 'body' && (path === '/label' || path === '/text'))
    return 'INVALID_CORRECTION';
  if (error.validationContext === 'body' && (path === '/digits' || path.startsWith('/digits/')))
    return 'INVALID_OPTIONS';
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
 * The one error handler: our own errors as they are, library errors by their `code` with a
 * fixed message, schema failures as 400, Fastify's limits by their status, anything else as a
 * logged 500 that tells the client nothing more.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) {
    if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
    if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(error.statusCode).send(body(error.code, error.message));
  }
  if (isCrazyDigitsError(error)) {
    const answer = LIBRARY_ERRORS[error.code];
    if (answer) {
      if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(answer.status).send(body(error.code, answer.message, fieldsOf(error)));
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
