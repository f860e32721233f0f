import type {
  BackendPreference,
  CrazyDigitsError,
  Recognizer,
  RecognizerOptions,
  Retrainer,
  RetrainerOptions,
  RetrainOutcome,
  UseBackendOptions,
} from '@crazy-digits/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CanvasUnavailableError,
  coordinateRetraining,
  createWorkerRetrainer,
  type DatabaseBlockedError,
  type RetrainCoordinator,
  type RetrainPort,
  type RetrainWorkerError,
  serveRetrainRequests,
  type WorkerRetrainer,
  type WorkerRetrainerOptions,
} from '../src/index.js';

declare const recognizer: Recognizer;

describe('browser-adapter retraining and error types', () => {
  it('gives a Retrainer that createRecognizer takes, configured like core’s', () => {
    expectTypeOf(createWorkerRetrainer()).toEqualTypeOf<WorkerRetrainer>();
    expectTypeOf<WorkerRetrainer>().toExtend<Retrainer>();
    expectTypeOf<WorkerRetrainer>().toExtend<NonNullable<RecognizerOptions['retrainer']>>();
    expectTypeOf<WorkerRetrainer['backend']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<WorkerRetrainerOptions['backend']>().toEqualTypeOf<BackendPreference | undefined>();
    expectTypeOf<WorkerRetrainerOptions['wasmPaths']>().toEqualTypeOf<UseBackendOptions['wasmPaths']>();
    expectTypeOf<WorkerRetrainerOptions['retrainer']>().toEqualTypeOf<RetrainerOptions | undefined>();
    void createWorkerRetrainer({ worker: '/retrain-worker.js' });
    void createWorkerRetrainer({ worker: () => new Worker('/w.js', { type: 'module' }) });
    // @ts-expect-error a worker is a Worker, a URL, a script URL string or a factory
    void createWorkerRetrainer({ worker: 42 });
  });

  it('serves the worker side on any message port', () => {
    expectTypeOf(serveRetrainRequests).returns.toEqualTypeOf<() => void>();
    expectTypeOf<MessagePort>().toExtend<RetrainPort>();
  });

  it('coordinates a recogniser by store name', () => {
    const coordinator = coordinateRetraining(recognizer, { name: 'my-digits' });
    expectTypeOf(coordinator).toEqualTypeOf<RetrainCoordinator>();
    expectTypeOf(coordinator.retrain()).toEqualTypeOf<Promise<RetrainOutcome>>();
    expectTypeOf(coordinator.locking).toEqualTypeOf<boolean>();
    expectTypeOf(coordinator.broadcasting).toEqualTypeOf<boolean>();
    // @ts-expect-error the stores' name is required
    void coordinateRetraining(recognizer, {});
  });

  it('types the error codes', () => {
    expectTypeOf<RetrainWorkerError['code']>().toEqualTypeOf<'RETRAIN_WORKER_FAILED'>();
    expectTypeOf<DatabaseBlockedError['code']>().toEqualTypeOf<'DATABASE_BLOCKED'>();
    expectTypeOf<CanvasUnavailableError['code']>().toEqualTypeOf<'CANVAS_UNAVAILABLE'>();
    expectTypeOf<RetrainWorkerError>().toExtend<CrazyDigitsError<'RETRAIN_WORKER_FAILED'>>();
  });
});
