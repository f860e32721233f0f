import type * as tf from '@tensorflow/tfjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type BackendPreference,
  type CorrectionStore,
  type CorrectionsByDigit,
  type CrazyDigitsError,
  createMemoryCorrectionStore,
  createMemoryModelStore,
  createRecognizer,
  createRetrainer,
  type DomImageSource,
  type GrayscaleImage,
  type ModelStore,
  type Prediction,
  type PreprocessedImage,
  preprocess,
  type Recognizer,
  type RecognizerInput,
  type RecognizerOptions,
  type Retrainer,
  type RetrainMetrics,
  type RetrainOutcome,
  type RetrainProgress,
  type RgbaImage,
  type UseBackendOptions,
  useBackend,
} from '../src/index.js';
import {
  type AssetLoadError,
  BackendUnavailableError,
  type DigitCodecError,
  type DuplicateCorrectionError,
  type EmptyImageError,
  type GradientPoolDisposedError,
  type GradientWorkerError,
  type ImageTooLargeError,
  InvalidCorrectionError,
  type InvalidExportError,
  type InvalidImageError,
  type InvalidModelArtifactsError,
  type ModelLoadError,
  type ModelVersionNotFoundError,
  type NoCorrectionsError,
  type RecognizerDisposedError,
  type RetrainConfigError,
  type RetrainerDisposedError,
  type StorageError,
  type StoreClosedError,
  type UnsupportedParallelModelError,
} from '../src/store-kit.js';
import type { InvalidDatasetError } from '../src/training.js';

declare const recognizer: Recognizer;

describe('core public types', () => {
  it('loads a Recognizer interface, with every option optional', () => {
    expectTypeOf(createRecognizer()).toEqualTypeOf<Promise<Recognizer>>();
    expectTypeOf(createRecognizer).parameter(0).toEqualTypeOf<RecognizerOptions | undefined>();
    expectTypeOf<RecognizerOptions['backend']>().toEqualTypeOf<BackendPreference | undefined>();
    expectTypeOf<RecognizerOptions['store']>().toEqualTypeOf<CorrectionStore | undefined>();
    expectTypeOf<RecognizerOptions['modelStore']>().toEqualTypeOf<ModelStore | undefined>();
    expectTypeOf<RecognizerOptions['retrainer']>().toEqualTypeOf<Retrainer | undefined>();
    expectTypeOf<string>().toExtend<NonNullable<RecognizerOptions['model']>>();
    expectTypeOf<tf.io.IOHandler>().toExtend<NonNullable<RecognizerOptions['model']>>();
    void createRecognizer({ retrain: { afterCorrections: 10, debounceMs: 500 } });
    // @ts-expect-error the retrain policy is 'manual' or an object
    void createRecognizer({ retrain: 'auto' });
    // @ts-expect-error not a backend name
    void createRecognizer({ backend: 'gpu' });
  });

  it('predicts from pixels, MNIST floats and tensors', () => {
    expectTypeOf<RgbaImage>().toExtend<Parameters<Recognizer['predict']>[0]>();
    expectTypeOf<GrayscaleImage>().toExtend<Parameters<Recognizer['predict']>[0]>();
    expectTypeOf<Float32Array>().toExtend<Parameters<Recognizer['predict']>[0]>();
    expectTypeOf<tf.Tensor>().toExtend<Parameters<Recognizer['predict']>[0]>();
    expectTypeOf(recognizer.predict(new Float32Array(784))).toEqualTypeOf<Promise<Prediction>>();
    expectTypeOf(recognizer.predictBatch([])).toEqualTypeOf<Promise<Prediction[]>>();
    expectTypeOf<Prediction['preprocessed']>().toEqualTypeOf<PreprocessedImage>();
    // @ts-expect-error a string is not an image
    void recognizer.predict('digit.png');
  });

  it('predicts from what a page has: canvases, bitmaps, images, ImageData and Blobs', () => {
    type Input = Parameters<Recognizer['predict']>[0];
    expectTypeOf<HTMLCanvasElement>().toExtend<Input>();
    expectTypeOf<OffscreenCanvas>().toExtend<Input>();
    expectTypeOf<ImageBitmap>().toExtend<Input>();
    expectTypeOf<HTMLImageElement>().toExtend<Input>();
    expectTypeOf<ImageData>().toExtend<Input>();
    expectTypeOf<Blob>().toExtend<Input>();
    expectTypeOf<File>().toExtend<Input>();
    expectTypeOf<DomImageSource>().toExtend<Input>();
    // Every method that takes a drawing takes the same inputs.
    expectTypeOf<Parameters<Recognizer['predictBatch']>[0]>().toEqualTypeOf<readonly Input[]>();
    expectTypeOf<Parameters<Recognizer['correct']>[0]>().toEqualTypeOf<Input>();
    expectTypeOf<Parameters<Recognizer['readNumber']>[0]>().toEqualTypeOf<Input>();
    expectTypeOf<Parameters<Recognizer['correctNumber']>[0]>().toEqualTypeOf<Input>();
    expectTypeOf<Input>().toEqualTypeOf<RecognizerInput>();
    // @ts-expect-error another element is not an image
    void recognizer.predict(document.createElement('div'));
    // @ts-expect-error a video's frame is made an ImageBitmap first: createImageBitmap(video)
    void recognizer.predict(document.createElement('video'));
  });

  it('reports the training loss with retrain progress, and the corrections by digit', () => {
    expectTypeOf<RetrainProgress['loss']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<RetrainMetrics['correctionsByDigit']>>().toEqualTypeOf<CorrectionsByDigit>();
    expectTypeOf<CorrectionsByDigit['right']>().toEqualTypeOf<number[]>();
  });

  it('corrects, retrains and reports events with typed payloads', () => {
    expectTypeOf(recognizer.correct(new Float32Array(784), 7)).toEqualTypeOf<Promise<{ id: string }>>();
    expectTypeOf(recognizer.retrain()).toEqualTypeOf<Promise<RetrainOutcome>>();
    expectTypeOf(recognizer.rollback()).toEqualTypeOf<Promise<string | undefined>>();
    recognizer.on('model-change', (event) => {
      expectTypeOf(event.cause).toEqualTypeOf<'retrain' | 'rollback' | 'reset' | 'refresh'>();
      expectTypeOf(event.version).toEqualTypeOf<string>();
    });
    expectTypeOf(recognizer.on('correction', () => {})).toEqualTypeOf<() => void>();
    // @ts-expect-error not an event of the recogniser
    recognizer.on('prediction', () => {});
  });

  it('selects backends and builds stores and retrainers as interfaces', () => {
    expectTypeOf(useBackend).parameters.toEqualTypeOf<[BackendPreference?, UseBackendOptions?]>();
    expectTypeOf(useBackend('wasm', { wasmPaths: '/wasm/' })).toEqualTypeOf<Promise<string>>();
    void useBackend('wasm', { wasmPaths: { 'tfjs-backend-wasm-simd.wasm': '/simd.wasm' } });
    // @ts-expect-error only the three tfjs wasm file names
    void useBackend('wasm', { wasmPaths: { 'other.wasm': '/other.wasm' } });
    expectTypeOf(createMemoryCorrectionStore()).toEqualTypeOf<CorrectionStore>();
    expectTypeOf(createMemoryModelStore()).toEqualTypeOf<ModelStore>();
    expectTypeOf(createRetrainer()).toEqualTypeOf<Retrainer>();
    expectTypeOf(preprocess).returns.toEqualTypeOf<PreprocessedImage>();
  });

  it('types every error code', () => {
    expectTypeOf(new BackendUnavailableError('wasm', 'r').code).toEqualTypeOf<'BACKEND_UNAVAILABLE'>();
    expectTypeOf(new InvalidCorrectionError('m').code).toEqualTypeOf<'INVALID_CORRECTION'>();
    expectTypeOf<DuplicateCorrectionError['code']>().toEqualTypeOf<'DUPLICATE_CORRECTION'>();
    expectTypeOf<StoreClosedError['code']>().toEqualTypeOf<'STORE_CLOSED'>();
    expectTypeOf<InvalidExportError['code']>().toEqualTypeOf<'INVALID_EXPORT'>();
    expectTypeOf<StorageError['code']>().toEqualTypeOf<'STORAGE_FAILED'>();
    expectTypeOf<ModelVersionNotFoundError['code']>().toEqualTypeOf<'MODEL_VERSION_NOT_FOUND'>();
    expectTypeOf<InvalidModelArtifactsError['code']>().toEqualTypeOf<'INVALID_MODEL_ARTIFACTS'>();
    expectTypeOf<InvalidImageError['code']>().toEqualTypeOf<'INVALID_IMAGE'>();
    expectTypeOf<ImageTooLargeError['code']>().toEqualTypeOf<'IMAGE_TOO_LARGE'>();
    expectTypeOf<EmptyImageError['code']>().toEqualTypeOf<'EMPTY_IMAGE'>();
    expectTypeOf<InvalidDatasetError['code']>().toEqualTypeOf<'INVALID_DATASET'>();
    expectTypeOf<DigitCodecError['code']>().toEqualTypeOf<'DIGIT_CODEC'>();
    expectTypeOf<NoCorrectionsError['code']>().toEqualTypeOf<'NO_CORRECTIONS'>();
    expectTypeOf<RetrainerDisposedError['code']>().toEqualTypeOf<'RETRAINER_DISPOSED'>();
    expectTypeOf<RetrainConfigError['code']>().toEqualTypeOf<'RETRAIN_CONFIG'>();
    expectTypeOf<RecognizerDisposedError['code']>().toEqualTypeOf<'RECOGNIZER_DISPOSED'>();
    expectTypeOf<ModelLoadError['code']>().toEqualTypeOf<'MODEL_LOAD_FAILED'>();
    expectTypeOf<AssetLoadError['code']>().toEqualTypeOf<'ASSET_LOAD_FAILED'>();
    expectTypeOf<GradientWorkerError['code']>().toEqualTypeOf<'GRADIENT_WORKER_FAILED'>();
    expectTypeOf<GradientPoolDisposedError['code']>().toEqualTypeOf<'GRADIENT_POOL_DISPOSED'>();
    expectTypeOf<UnsupportedParallelModelError['code']>().toEqualTypeOf<'UNSUPPORTED_PARALLEL_MODEL'>();
    expectTypeOf<StorageError>().toExtend<CrazyDigitsError>();
    expectTypeOf<StorageError>().toExtend<Error>();
  });
});
