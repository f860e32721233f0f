import { Piscina } from 'piscina';
import { HttpError, statusOfLibraryCode } from '../errors.js';
import { type DecodeLimits, type DecodeOutcome, decodeDigit } from './task.js';

/** Turns client image strings into 28x28 digits, on the event loop or in a pool of threads. */
export interface Decoder {
  /** The digit in `image`; a library refusal becomes an `HttpError` with the library's code. */
  decode(image: string): Promise<Float32Array>;
  /** Finishes queued decodes, then stops the threads. */
  close(): Promise<void>;
}

function unwrap(outcome: DecodeOutcome | Float32Array): Float32Array {
  if (outcome instanceof Float32Array) return outcome;
  if ('pixels' in outcome) return outcome.pixels;
  const { code, message } = outcome.error;
  throw new HttpError(statusOfLibraryCode(code) ?? 400, code, message);
}

/**
 * Decoding a 280x280 PNG and preprocessing it is most of a prediction's CPU time (a profile under
 * load put ~60% there). With `threads > 0` it runs in a piscina pool, so the event loop only
 * parses requests, batches the model calls and answers, and both cores do useful work.
 */
export function createDecoder(threads: number, limits: DecodeLimits): Decoder {
  if (threads === 0) {
    return {
      decode: async (image) => unwrap(await decodeDigit(image, limits)),
      close: async () => {},
    };
  }
  const pool = new Piscina({
    filename: new URL('./bootstrap.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // sharp decodes on libuv's thread pool: while one image is decoded there, the thread
    // preprocesses others instead of waiting.
    concurrentTasksPerWorker: 4,
    // tsx is registered by the bootstrap; the parent's loader flags would register it twice.
    execArgv: [],
    // No queue limit: a burst waits rather than failing, and what one client can queue is
    // bounded by the body limit and the connection count, as on the event loop.
  });
  return {
    decode: async (image) => unwrap(await pool.run({ image, limits })),
    close: () => pool.close(),
  };
}
