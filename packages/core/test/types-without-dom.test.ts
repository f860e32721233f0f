import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * A Node project compiles without the DOM library (`"lib": ["ES2023"]`, `@types/node`). There,
 * `RecognizerInput`'s DOM members must vanish rather than become `any` (which would let any value
 * through `predict`), and nothing may fail to compile. Checked with the TypeScript API on a file
 * that imports core's sources, as the repository's type tests do.
 */

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const FILE = source('./no-dom-consumer.ts');

const CONSUMER = `import { createRecognizer, type DomImageSource, type RecognizerInput } from '@crazy-digits/core';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const inputIsAny: IsAny<RecognizerInput> = false;
// Node's own Blob is the one DOM-like input left; the DOM classes are not there at all.
export const blobOnly: [DomImageSource] extends [Blob] ? true : false = true;
// @ts-expect-error no DOM library here (tfjs's WebGPU types declare an HTMLCanvasElement interface, not the class)
export const canvasClass = globalThis.HTMLCanvasElement;

export async function use(pixels: Uint8ClampedArray) {
  const recognizer = await createRecognizer();
  await recognizer.predict({ data: pixels, width: 280, height: 280 });
  await recognizer.predict(new Float32Array(784));
  await recognizer.readNumber({ data: pixels, width: 840, height: 280 });
  // @ts-expect-error a string is not an image
  await recognizer.predict('digit.png');
  // @ts-expect-error nor is an arbitrary object
  await recognizer.predict({ width: 280, height: 280 });
}
`;

describe('the public types in a project without the DOM library', () => {
  it('keep RecognizerInput precise: no any, no DOM classes, no errors', () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      paths: { '@crazy-digits/core': [source('../src/index.ts')] },
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => name === FILE || fileExists.call(host, name);
    host.readFile = (name) => (name === FILE ? CONSUMER : readFile.call(host, name));
    host.getSourceFile = (name, language, ...rest) =>
      name === FILE
        ? ts.createSourceFile(name, CONSUMER, language)
        : getSourceFile.call(host, name, language, ...rest);
    const program = ts.createProgram([FILE], options, host);
    const consumer = program.getSourceFile(FILE);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(consumer),
      ...program.getSemanticDiagnostics(consumer),
    ].map((d) => {
      const line =
        d.start === undefined ? 0 : (consumer?.getLineAndCharacterOfPosition(d.start).line ?? 0) + 1;
      return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
