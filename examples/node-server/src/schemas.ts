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

/** The most digits a number may have (core's `readNumber` reads at most 32). */
export const MAX_NUMBER_DIGITS = 32;

const digitCount = { type: 'integer', minimum: 1, maximum: MAX_NUMBER_DIGITS } as const;

/** `digits` of `POST /api/read-number`: an exact count, or a range. */
export const digitsOption = {
  description: `How many digits the number has (1–${MAX_NUMBER_DIGITS}), or a range \`{ min?, max? }\`; default any.`,
  anyOf: [
    digitCount,
    {
      type: 'object',
      additionalProperties: false,
      properties: { min: digitCount, max: digitCount },
    },
  ],
} as const;

export type DigitsOption = number | { min?: number; max?: number };

export const boxSchema = {
  type: 'object',
  required: ['x', 'y', 'width', 'height'],
  description: 'A rectangle in the image, in pixels.',
  properties: {
    x: { type: 'number' },
    y: { type: 'number' },
    width: { type: 'number' },
    height: { type: 'number' },
  },
} as const;

export const numberReadingSchema = {
  type: 'object',
  required: ['text', 'confidence', 'digits', 'modelVersion'],
  properties: {
    text: { type: 'string', description: 'The digits read, left to right.' },
    confidence: {
      type: 'number',
      description:
        'Probability that the whole reading is right; 0 when the drawing could not be split into the asked number of digits.',
    },
    digits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['digit', 'confidence', 'uncertain', 'probabilities', 'box'],
        properties: {
          digit: predictionSchema.properties.digit,
          confidence: predictionSchema.properties.confidence,
          uncertain: predictionSchema.properties.uncertain,
          probabilities: predictionSchema.properties.probabilities,
          box: { ...boxSchema, description: "The digit's ink box in the image, in pixels." },
        },
      },
    },
    modelVersion: { type: 'string' },
  },
} as const;

/** `422 NUMBER_LENGTH_MISMATCH`: the error, with the digit count asked for and the boxes found. */
export const numberLengthMismatchSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'expected', 'boxes'],
      properties: {
        ...errorSchema.properties.error.properties,
        expected: { type: 'integer', description: 'How many digits `text` has.' },
        boxes: {
          type: 'array',
          items: boxSchema,
          description: 'The digits the drawing splits into, left to right.',
        },
      },
    },
  },
} as const;
