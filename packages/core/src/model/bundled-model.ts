import type * as tf from '@tensorflow/tfjs';
import { readAsset } from '../assets/read-asset.js';
import { type ModelManifest, manifestToArtifacts } from './bundle.js';

/**
 * The shipped model: its manifest, and its artifacts with the weights read from
 * `bundled-weights.bin` (fetched in a page, read from disk in Node). Both load on first use only,
 * so an app that brings its own model never downloads them.
 */
export async function loadBundledModel(): Promise<{
  manifest: ModelManifest;
  artifacts: tf.io.ModelArtifacts;
}> {
  const [{ bundledModel }, weights] = await Promise.all([
    import('./bundled-model.generated.js'),
    readAsset(new URL('./bundled-weights.bin', import.meta.url)),
  ]);
  return { manifest: bundledModel, artifacts: manifestToArtifacts(bundledModel, weights) };
}
