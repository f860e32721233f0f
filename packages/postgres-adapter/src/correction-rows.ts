import type { Correction } from '@crazy-digits/core';

/** A row of the `corrections` table, as `pg` returns it (a bigint as text). */
export interface Row {
  id: string;
  sequence: string;
  user_id: string | null;
  label: number;
  image: Buffer;
  created_at: number;
  session_id: string | null;
  predicted_digit: number | null;
  predicted_confidence: number | null;
  model_version: string | null;
}

/** Its columns, in the order of {@link Row} and of {@link columnsOf}. */
export const COLUMNS =
  'id, sequence, user_id, label, image, created_at, session_id, predicted_digit, predicted_confidence, model_version';

/** The image as stored: 784 little-endian float32 values. */
function imageBytes(image: Float32Array): Buffer {
  const bytes = Buffer.alloc(image.length * 4);
  image.forEach((value, i) => {
    bytes.writeFloatLE(value, i * 4);
  });
  return bytes;
}

/** The correction a row holds. */
export function fromRow(row: Row): Correction {
  const image = new Float32Array(row.image.length / 4);
  for (let i = 0; i < image.length; i++) image[i] = row.image.readFloatLE(i * 4);
  return {
    id: row.id,
    image,
    label: row.label,
    createdAt: row.created_at,
    ...(row.user_id === null ? {} : { userId: row.user_id }),
    ...(row.session_id === null ? {} : { sessionId: row.session_id }),
    ...(row.predicted_digit === null || row.predicted_confidence === null
      ? {}
      : { predicted: { digit: row.predicted_digit, confidence: row.predicted_confidence } }),
    ...(row.model_version === null ? {} : { modelVersion: row.model_version }),
  };
}

/** The parameters after the store key of an `INSERT … SELECT $1, * FROM unnest(…)` of `COLUMNS`. */
export const UNNEST_PARAMETERS =
  '$2::text[], $3::bigint[], $4::text[], $5::smallint[], $6::bytea[], $7::float8[], $8::text[], $9::smallint[], $10::float8[], $11::text[]';

/** `corrections` as one array per column of `COLUMNS`, for {@link UNNEST_PARAMETERS}. */
export function columnsOf(corrections: Correction[], sequences: number[]): unknown[] {
  return [
    corrections.map((c) => c.id),
    sequences,
    corrections.map((c) => c.userId ?? null),
    corrections.map((c) => c.label),
    corrections.map((c) => imageBytes(c.image)),
    corrections.map((c) => c.createdAt),
    corrections.map((c) => c.sessionId ?? null),
    corrections.map((c) => c.predicted?.digit ?? null),
    corrections.map((c) => c.predicted?.confidence ?? null),
    corrections.map((c) => c.modelVersion ?? null),
  ];
}
