import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { seededRandom } from '@crazy-digits/core/training';
import { drawMnistNumber, type InkBox, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { PNG } from 'pngjs';
import { type CliIo, main } from '../src/main.js';

/** What one run of the CLI printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Collector extends Writable {
  text = '';
  constructor(private readonly onText?: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = chunk.toString('utf8');
    this.text += text;
    this.onText?.(text);
    done();
  }
}

/** Runs `crazy-digits ...argv` in this process, in `cwd`, capturing its output. */
export async function runCli(
  argv: string[],
  options: {
    cwd: string;
    stdin?: AsyncIterable<Uint8Array | string>;
    signal?: AbortSignal;
    /** Called with everything written to stderr, as it is written. */
    onStderr?: (text: string) => void;
  },
): Promise<CliRun> {
  const stdout = new Collector();
  const stderr = new Collector(options.onStderr);
  const io: Partial<CliIo> = {
    stdout,
    stderr,
    cwd: options.cwd,
    stdin: options.stdin ?? (async function* () {})(),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A fresh temporary directory, and a function that removes it. */
export async function temporaryDirectory(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-cli-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes MNIST test digits as PNGs the way a drawing arrives: dark ink on white, scaled up
 * `scale` times. Returns each file's name (relative to `dir`) and its digit.
 */
export async function writeMnistPngs(
  dir: string,
  indices: readonly number[],
  scale = 4,
): Promise<Array<{ file: string; label: number }>> {
  const test = loadMnist('test', Math.max(...indices) + 1);
  return Promise.all(
    indices.map(async (index) => {
      const digit = mnistDigit(test, index);
      const side = 28 * scale;
      const png = new PNG({ width: side, height: side });
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const ink = digit[Math.floor(y / scale) * 28 + Math.floor(x / scale)] ?? 0;
          const value = Math.round(255 * (1 - ink));
          const at = (y * side + x) * 4;
          png.data[at] = value;
          png.data[at + 1] = value;
          png.data[at + 2] = value;
          png.data[at + 3] = 255;
        }
      }
      const label = test.labels[index] ?? -1;
      const file = `mnist-${index}-${label}.png`;
      await writeFile(join(dir, file), PNG.sync.write(png));
      return { file, label };
    }),
  );
}

/**
 * Writes the MNIST test digits `indices` as one handwritten number, drawn side by side (dark ink
 * on white, 840x280), to `dir/file`. Returns the number's text and each digit's ink box.
 */
export async function writeNumberPng(
  dir: string,
  file: string,
  indices: readonly number[],
  seed = 1,
): Promise<{ text: string; boxes: InkBox[] }> {
  const test = loadMnist('test', Math.max(...indices) + 1);
  const drawn = drawMnistNumber(
    indices.map((index) => mnistDigit(test, index)),
    {
      spacing: 'separate',
      background: 'dark-on-white',
      random: seededRandom(seed),
      labels: indices.map((index) => test.labels[index] ?? -1),
      width: 840,
    },
  );
  const { data, width, height } = drawn.image;
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await writeFile(join(dir, file), PNG.sync.write(png));
  return { text: drawn.text, boxes: drawn.boxes };
}
