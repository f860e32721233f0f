/**
 * Browser adapter for `@crazy-digits/core`.
 *
 * This release has no public API yet: the IndexedDB `CorrectionStore` and `ModelStore`, the
 * drawing pad and worker retraining are added here as they land (see the package README).
 *
 * @packageDocumentation
 */
export {};
