import { Piscina } from 'piscina';
import { HttpError, libraryErrorAnswer } from '../errors.js';
import { type DecodeLimits, type DecodeOutcome, decodeDigit } from './task.js';

/** Turns client image strings into 28x28 digits, on the event loop or in a pool of threads. */
export interface Decoder {
  /** The digit in `image`; a refusal becomes an `HttpError` with the library's code. */
  decode(image: string): Promise<Float32Array>;
  /** Finishes queued decodes, then stops the threads. */
  close(): Promise<void>;
}

export interface DecoderOptions {
  /** Threads beside the event loop; `0` decodes on it. */
  threads: number;
  limits: DecodeLimits;
  /** Decodes waiting or running at once; one more gets 503 with `Retry-After`. */
  maxQueued: number;
}

function unwrap(outcome: DecodeOutcome | Float32Array): Float32Array {
  if (outcome instanceof Float32Array) return outcome;
  if ('pixels' in outcome) return outcome.pixels;
  const { code, message } = outcome.error;
  const answer = libraryErrorAnswer(code);
  // The library's message may quote the decoder: a refusal of our own is safe as it is.
  throw new HttpError(answer?.status ?? 400, code, answer?.message ?? message);
}

/**
 * Decoding a 280x280 PNG and preprocessing it is most of a prediction's CPU time (a profile under
 * load put ~60% there). With `threads > 0` it runs in a piscina pool, so the event loop only
 * parses requests, batches the model calls and answers, and both cores do useful work. The
 * queue is bounded: past `maxQueued` a request is turned away at once with 503, rather than
 * waiting behind work it cannot catch up with.
 */
export function createDecoder({ threads, limits, maxQueued }: DecoderOptions): Decoder {
  let pending = 0;
  const bounded =
    (run: (image: string) => Promise<DecodeOutcome | Float32Array>) =>
    async (image: string): Promise<Float32Array> => {
      if (pending >= maxQueued) throw new HttpError(503, 'BUSY', 'the server is busy decoding images', 1);
      pending++;
      try {
        return unwrap(await run(image));
      } finally {
        pending--;
      }
    };
  if (threads === 0) {
    return { decode: bounded((image) => decodeDigit(image, limits)), close: async () => {} };
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
  });
  return {
    decode: bounded((image) => pool.run({ image, limits })),
    close: () => pool.close(),
  };
}
