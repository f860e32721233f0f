import type { CorrectionStore, ModelStore, RgbaImage } from '@crazy-digits/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createDrawingPad,
  createIndexedDBCorrectionStore,
  createIndexedDBModelStore,
  type DrawingPad,
  StorageQuotaExceededError,
} from '../src/index.js';

describe('browser-adapter public types', () => {
  it('returns core store interfaces, not implementation types', () => {
    expectTypeOf(createIndexedDBCorrectionStore({ name: 'app' })).toEqualTypeOf<Promise<CorrectionStore>>();
    expectTypeOf(createIndexedDBModelStore({ name: 'app', keep: 3 })).toEqualTypeOf<Promise<ModelStore>>();
    // @ts-expect-error the database name is required
    void createIndexedDBCorrectionStore({});
    // @ts-expect-error fallback is 'memory' or 'throw'
    void createIndexedDBCorrectionStore({ name: 'app', fallback: 'session' });
  });

  it('gives pad pixels that predict accepts', () => {
    expectTypeOf(createDrawingPad).returns.toEqualTypeOf<DrawingPad>();
    expectTypeOf<ReturnType<DrawingPad['getImageData']>>().toExtend<RgbaImage>();
  });

  it('types the quota error code', () => {
    expectTypeOf(new StorageQuotaExceededError('m').code).toEqualTypeOf<'STORAGE_QUOTA_EXCEEDED'>();
  });
});
