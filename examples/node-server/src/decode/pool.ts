import { Piscina } from 'piscina';
import { HttpError, libraryErrorAnswer } from '../errors.js';
import {
  type DecodedImage,
  type DecodeKind,
  type DecodeLimits,
  type DecodeOutcome,
  type DecodeRefusal,
  decodeDigit,
  decodePicture,
  type ImageDecodeOutcome,
} from './task.js';

/** Turns client image strings into 28x28 digits, on the event loop or in a pool of threads. */
export interface Decoder {
  /** The digit in `image`; a refusal becomes an `HttpError` with the library's code. */
  decode(image: string): Promise<Float32Array>;
  /** The whole picture in `image`, RGBA (for numbers); refused as `decode` refuses. */
  decodeImage(image: string): Promise<DecodedImage>;
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

function refuse({ error: { code, message } }: DecodeRefusal): never {
  const answer = libraryErrorAnswer(code);
  // The library's message may quote the decoder: a refusal of our own is safe as it is.
  throw new HttpError(answer?.status ?? 400, code, answer?.message ?? message);
}

function unwrapDigit(outcome: DecodeOutcome | Float32Array): Float32Array {
  if (outcome instanceof Float32Array) return outcome;
  return 'pixels' in outcome ? outcome.pixels : refuse(outcome);
}

function unwrapImage(outcome: ImageDecodeOutcome): DecodedImage {
  return 'image' in outcome ? outcome.image : refuse(outcome);
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
  /** Runs `work` if the queue has room: digits and whole pictures wait in the same one. */
  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (pending >= maxQueued) throw new HttpError(503, 'BUSY', 'the server is busy decoding images', 1);
    pending++;
    try {
      return await work();
    } finally {
      pending--;
    }
  }
  if (threads === 0) {
    return {
      decode: (image) => bounded(async () => unwrapDigit(await decodeDigit(image, limits))),
      decodeImage: (image) => bounded(async () => unwrapImage(await decodePicture(image, limits))),
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
  });
  const run = (image: string, kind: DecodeKind) => pool.run({ image, limits, kind });
  return {
    decode: (image) => bounded(async () => unwrapDigit(await run(image, 'digit'))),
    decodeImage: (image) => bounded(async () => unwrapImage(await run(image, 'image'))),
    close: () => pool.close(),
  };
}
