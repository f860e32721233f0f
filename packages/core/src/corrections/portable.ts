import { base64ToBytes, bytesToBase64, bytesToFloat32, float32ToBytes } from '../encoding/base64.js';
import { InvalidExportError } from './errors.js';
import type { Correction, CorrectionStore, CorrectionStream, ImportResult, NewCorrection } from './types.js';

/** First line of every export: what the stream is and which version of the format. */
const HEADER = { format: 'crazy-digits/corrections', version: 1 } as const;

/** One correction as a line of the export: the image as base64 of little-endian float32. */
type PortableLine = Omit<Correction, 'image'> & { image: string };

/**
 * The portable export: newline-delimited JSON, a header line then one correction per line, UTF-8.
 * Line-based so a backup can be streamed, appended, inspected with `head`, and a damaged line is
 * reported by number.
 */
export function encodeCorrections(corrections: AsyncIterable<Correction>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = corrections[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${JSON.stringify(HEADER)}\n`));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      const line: PortableLine = { ...next.value, image: bytesToBase64(float32ToBytes(next.value.image)) };
      controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

async function* chunksOf(stream: CorrectionStream): AsyncIterable<Uint8Array | string> {
  if ('getReader' in stream) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* stream;
  }
}

async function* linesOf(stream: CorrectionStream): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  for await (const chunk of chunksOf(stream)) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let end = pending.indexOf('\n');
    while (end >= 0) {
      yield pending.slice(0, end);
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending;
}

function parseLine(text: string, lineNumber: number): NewCorrection & { id: string; createdAt: number } {
  try {
    const line = JSON.parse(text) as Partial<PortableLine>;
    if (typeof line.id !== 'string' || typeof line.image !== 'string' || typeof line.createdAt !== 'number') {
      throw new TypeError('missing id, image or createdAt');
    }
    return {
      ...line,
      id: line.id,
      createdAt: line.createdAt,
      label: line.label ?? Number.NaN,
      image: bytesToFloat32(base64ToBytes(line.image)),
    };
  } catch (error) {
    throw new InvalidExportError(`line ${lineNumber} is not a correction: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Reads a portable export into `store`, one correction at a time (ids already present are
 * skipped), so a huge backup never sits in memory. Corrections before a damaged line stay
 * imported; the error names the line.
 */
export async function importCorrections(
  store: CorrectionStore,
  stream: CorrectionStream,
): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, skipped: 0 };
  let lineNumber = 0;
  for await (const text of linesOf(stream)) {
    lineNumber++;
    if (lineNumber === 1) {
      let header: unknown;
      try {
        header = JSON.parse(text);
      } catch (error) {
        throw new InvalidExportError('the first line is not a crazy-digits corrections header', {
          cause: error,
        });
      }
      const { format, version } = (header ?? {}) as { format?: unknown; version?: unknown };
      if (format !== HEADER.format) throw new InvalidExportError('not a crazy-digits corrections export');
      if (version !== HEADER.version)
        throw new InvalidExportError(
          `export format version ${String(version)} is not supported (expected ${HEADER.version})`,
        );
      continue;
    }
    if (text.trim() === '') continue;
    const correction = parseLine(text, lineNumber);
    if (await store.get(correction.id)) {
      result.skipped++;
      continue;
    }
    await store.add(correction);
    result.imported++;
  }
  if (lineNumber === 0) throw new InvalidExportError('the export is empty');
  return result;
}

/**
 * Completes a store with `export` and `import` in the portable format, over its own `iterate`
 * and `add`. `assertOpen` throws `StoreClosedError` once the store is closed: `export` then
 * throws it and `import` rejects with it.
 */
export function withPortableFormat(
  store: Omit<CorrectionStore, 'export' | 'import'>,
  assertOpen: () => void,
): CorrectionStore {
  const complete: CorrectionStore = {
    ...store,
    export(filter) {
      assertOpen();
      return encodeCorrections(complete.iterate(filter));
    },
    async import(stream) {
      assertOpen();
      return importCorrections(complete, stream);
    },
  };
  return complete;
}
