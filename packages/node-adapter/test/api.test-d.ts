import {
  type BackendPreference,
  type CorrectionStore,
  type CrazyDigitsError,
  isCrazyDigitsError,
  type ModelStore,
  type RecognizerInput,
  type RecognizerOptions,
  type Retrainer,
  type RetrainerOptions,
  type RgbaImage,
} from '@crazy-digits/core';
import type { GradientPool, ImageTooLargeError } from '@crazy-digits/core/store-kit';
import type { TrainOptions } from '@crazy-digits/core/training';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createFileCorrectionStore,
  createFileModelStore,
  createWorkerThreadsGradientPool,
  createWorkerThreadsRetrainer,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  type DecodeImageOptions,
  decodeImage,
  EncodedImageTooLargeError,
  type FileCorrectionStoreOptions,
  type FileModelStoreOptions,
  ImageFileError,
  ImageTooManyPixelsError,
  InvalidDataUrlError,
  RetrainWorkerError,
  UnsupportedImageFormatError,
  type WorkerThreadsGradientPoolOptions,
  type WorkerThreadsRetrainerOptions,
} from '../src/index.js';

describe('node-adapter public types', () => {
  it('returns core store interfaces from the file stores, which need a directory', () => {
    expectTypeOf(createFileCorrectionStore).parameter(0).toEqualTypeOf<FileCorrectionStoreOptions>();
    expectTypeOf(createFileCorrectionStore({ dir: '/data/corrections' })).toEqualTypeOf<
      Promise<CorrectionStore>
    >();
    expectTypeOf(createFileModelStore({ dir: '/data/models', keep: 3 })).toEqualTypeOf<Promise<ModelStore>>();
    expectTypeOf<FileModelStoreOptions['keep']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error the directory is required
    void createFileCorrectionStore({});
    // @ts-expect-error keep is a count
    void createFileModelStore({ dir: '/data/models', keep: 'all' });
  });

  it('decodes buffers, data URLs and paths into images predict accepts', () => {
    expectTypeOf(decodeImage).parameter(0).toEqualTypeOf<Buffer | Uint8Array | string>();
    expectTypeOf(decodeImage(new Uint8Array(8))).toEqualTypeOf<Promise<RgbaImage>>();
    expectTypeOf<RgbaImage>().toExtend<RecognizerInput>();
    expectTypeOf<DecodeImageOptions>().toEqualTypeOf<{
      maxSide?: number;
      maxPixels?: number;
      maxBytes?: number;
      allowFilePath?: boolean;
      decoder?: 'auto' | 'sharp' | 'js';
    }>();
    expectTypeOf(DEFAULT_MAX_BYTES).toEqualTypeOf<number>();
    expectTypeOf(DEFAULT_MAX_PIXELS).toEqualTypeOf<number>();
    // @ts-expect-error a number is not an image
    void decodeImage(42);
    // @ts-expect-error allowFilePath is a boolean
    void decodeImage('digit.png', { allowFilePath: 'no' });
  });

  it('gives a Retrainer that createRecognizer takes, configured like core’s', () => {
    expectTypeOf(createWorkerThreadsRetrainer()).toEqualTypeOf<Retrainer>();
    expectTypeOf<Retrainer>().toExtend<NonNullable<RecognizerOptions['retrainer']>>();
    expectTypeOf<WorkerThreadsRetrainerOptions>().toExtend<RetrainerOptions>();
    expectTypeOf<WorkerThreadsRetrainerOptions['backend']>().toEqualTypeOf<BackendPreference | undefined>();
    // @ts-expect-error not a backend name
    void createWorkerThreadsRetrainer({ backend: 'gpu' });
  });

  it('gives a GradientPool that trainDigitModel takes', () => {
    expectTypeOf(createWorkerThreadsGradientPool({ workers: 2 })).toEqualTypeOf<GradientPool>();
    expectTypeOf<GradientPool>().toExtend<NonNullable<TrainOptions['gradientPool']>>();
    expectTypeOf<WorkerThreadsGradientPoolOptions>().toEqualTypeOf<{ workers?: number }>();
  });

  it('types each error code, for branching with isCrazyDigitsError', () => {
    expectTypeOf(
      new UnsupportedImageFormatError('gif', 'm').code,
    ).toEqualTypeOf<'UNSUPPORTED_IMAGE_FORMAT'>();
    expectTypeOf(new UnsupportedImageFormatError('gif', 'm').format).toEqualTypeOf<string>();
    expectTypeOf(new InvalidDataUrlError('m').code).toEqualTypeOf<'INVALID_DATA_URL'>();
    expectTypeOf(new EncodedImageTooLargeError(2, 1).code).toEqualTypeOf<'ENCODED_IMAGE_TOO_LARGE'>();
    expectTypeOf(new ImageFileError('a.png', 'm').code).toEqualTypeOf<'IMAGE_FILE_UNREADABLE'>();
    expectTypeOf(new RetrainWorkerError('m').code).toEqualTypeOf<'RETRAIN_WORKER_FAILED'>();
    // Too many pixels is a kind of core's too-large image: one code for callers to handle.
    expectTypeOf<ImageTooManyPixelsError>().toExtend<ImageTooLargeError>();
    expectTypeOf(new ImageTooManyPixelsError(10, 10, 10, 50).code).toEqualTypeOf<'IMAGE_TOO_LARGE'>();
    expectTypeOf<RetrainWorkerError>().toExtend<CrazyDigitsError<'RETRAIN_WORKER_FAILED'>>();

    const error: unknown = new InvalidDataUrlError('m');
    if (isCrazyDigitsError(error, 'ENCODED_IMAGE_TOO_LARGE')) {
      expectTypeOf(error.code).toEqualTypeOf<'ENCODED_IMAGE_TOO_LARGE'>();
    }
  });
});
