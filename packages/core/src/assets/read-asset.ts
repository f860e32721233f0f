import { errorWithCode } from '../errors/crazy-digits-error.js';

/** A file that ships with the package (the bundled weights or digits) could not be read. */
export class AssetLoadError extends errorWithCode('ASSET_LOAD_FAILED') {}

/**
 * Node's file reading, imported under a name no bundler follows, so that browser bundles never
 * include it (or warn about it): only `file:` assets, outside browsers, ask for it.
 */
const NODE_FS = 'node:fs/promises';

interface FileReader {
  readFile(path: URL): Promise<Uint8Array>;
}

async function readFileUrl(url: URL): Promise<ArrayBuffer> {
  const { readFile }: FileReader = await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_FS);
  return new Uint8Array(await readFile(url)).buffer;
}

/**
 * The bytes of a file that ships beside a module, which names it as
 * `new URL('./file.bin', import.meta.url)`: the form Vite, webpack, Rollup and Parcel recognise,
 * emitting the file with the app and rewriting the URL to it. A page or worker fetches it from the
 * app's own origin (and the browser caches it like any asset); Node, and tests run from source,
 * read it from the package directory.
 */
export async function readAsset(url: URL): Promise<ArrayBuffer> {
  try {
    if (url.protocol === 'file:') return await readFileUrl(url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return await response.arrayBuffer();
  } catch (error) {
    throw new AssetLoadError(`could not load ${url.href}`, { cause: error });
  }
}
