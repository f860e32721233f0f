/** JSON schemas shared by the routes (validation, serialisation and the OpenAPI document). */

export const USER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/**
 * `?scope=global` works in the global scope (the global corrections and model); without it, a
 * request with an API key works in its user's scope, and an anonymous prediction uses the
 * global model. Only admin keys may change the global scope.
 */
export const scopeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    scope: {
      type: 'string',
      enum: ['user', 'global'],
      description:
        "`global` for the global corrections and model (changing them needs an admin key); default: the key's user.",
    },
  },
} as const;

export interface ScopeQuery {
  scope?: 'user' | 'global';
}

export const errorSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description: 'Stable, machine-readable: the library error code where one applies.',
        },
        message: { type: 'string' },
      },
    },
  },
} as const;

const errorRef = { $ref: 'ErrorResponse#' } as const;
/** Error responses every route may give. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef } as const;

export const imageProperty = {
  type: 'string',
  minLength: 1,
  description: 'A PNG or JPEG: a data URL (canvas.toDataURL()) or bare base64.',
} as const;

export const predictionSchema = {
  type: 'object',
  required: ['digit', 'confidence', 'probabilities', 'uncertain', 'modelVersion'],
  properties: {
    digit: { type: 'integer', minimum: 0, maximum: 9 },
    confidence: { type: 'number' },
    probabilities: { type: 'array', items: { type: 'number' }, minItems: 10, maxItems: 10 },
    uncertain: {
      type: 'boolean',
      description: 'Confidence under the threshold: probably not a clear digit.',
    },
    modelVersion: { type: 'string' },
  },
} as const;

export const correctionSummarySchema = {
  type: 'object',
  required: ['id', 'label', 'createdAt'],
  properties: {
    id: { type: 'string' },
    label: { type: 'integer' },
    createdAt: { type: 'number', description: 'Milliseconds since the epoch.' },
    sessionId: { type: 'string' },
    modelVersion: { type: 'string', description: 'The model that made the corrected prediction.' },
    predicted: {
      type: 'object',
      properties: { digit: { type: 'integer' }, confidence: { type: 'number' } },
    },
  },
} as const;

const progressSchema = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['preparing', 'training', 'validating'] },
    fraction: { type: 'number' },
    step: { type: 'integer' },
    totalSteps: { type: 'integer' },
  },
} as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'state', 'createdAt'],
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] },
    createdAt: { type: 'number' },
    startedAt: { type: 'number' },
    finishedAt: { type: 'number' },
    progress: progressSchema,
    verdict: {
      type: 'object',
      description: "The validation gate's verdict: accepted candidates are served from then on.",
      properties: { accepted: { type: 'boolean' }, reason: { type: 'string' } },
    },
    version: { type: 'string', description: 'The version served after the run.' },
    corrections: { type: 'integer' },
    metrics: { type: 'object', additionalProperties: true },
    error: errorSchema.properties.error,
    coveredElsewhere: {
      type: 'boolean',
      description:
        "Another instance's run, finished after this job was asked for, covered it: it did not train again.",
    },
  },
} as const;

export const versionSchema = {
  type: 'object',
  required: ['version', 'createdAt'],
  properties: {
    version: { type: 'string' },
    createdAt: { type: 'number' },
    parent: { type: 'string' },
    note: { type: 'string' },
    metrics: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;
