/**
 * Node.js adapter for `@crazy-digits/core`.
 *
 * This release has no public API yet: the file-backed `CorrectionStore` and `ModelStore`,
 * image decoding and tfjs-node integration are added here as they land (see the package README).
 *
 * @packageDocumentation
 */
export {};
