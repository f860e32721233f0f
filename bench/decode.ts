/**
 * `npm run bench -- decode [--json] [--tries 1000] [--decodes 300]`
 *
 * `decodeImage` on hostile and ordinary input: how long it takes to reject a PNG whose header
 * claims 65535x65535 px over a tiny body (median and p95), how much the process's peak RSS grows
 * over those rejections (none expected: the limit is checked before the decoder allocates), and
 * the decode time of a 280x280 drawing as PNG and as JPEG.
 */
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { isCrazyDigitsError } from '../packages/core/src/index.js';
import { decodeImage } from '../packages/node-adapter/src/image/index.js';
import { drawDigitOnCanvas, loadMnist, mnistDigit, pngChunk } from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

/** A well-formed PNG (valid CRCs) whose IHDR claims 65535x65535 RGBA, with 16 bytes of image data. */
function oversizedPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(65535, 0);
  header.writeUInt32BE(65535, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

async function timeCalls(calls: number, work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(50, calls); i++) await work(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      tries: { type: 'string', default: '1000' },
      decodes: { type: 'string', default: '300' },
    },
  });
  const tries = Number(values.tries);
  const decodes = Number(values.decodes);

  const hostile = oversizedPng();
  const rejectOnce = async () => {
    const error = await decodeImage(hostile).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isCrazyDigitsError(error, 'IMAGE_TOO_LARGE'))
      throw new Error(`expected IMAGE_TOO_LARGE, got ${String(error)}`);
  };
  await rejectOnce();
  const peakBefore = process.resourceUsage().maxRSS;
  const rejections = await timeCalls(tries, rejectOnce);
  const peakGrowthMiB = (process.resourceUsage().maxRSS - peakBefore) / 1024;

  const canvas = drawDigitOnCanvas(mnistDigit(loadMnist('test', 1), 0));
  const png = new PNG({ width: canvas.width, height: canvas.height });
  png.data = Buffer.from(canvas.data);
  const pngBytes = PNG.sync.write(png);
  const jpegBytes = encodeJpeg({ data: canvas.data, width: canvas.width, height: canvas.height }, 90).data;
  const pngDecodes = await timeCalls(decodes, () => decodeImage(pngBytes));
  const jpegDecodes = await timeCalls(decodes, () => decodeImage(jpegBytes));

  const figures: Figure[] = [
    {
      bench: 'decode',
      metric: 'reject 65535x65535-header PNG median',
      value: percentile(rejections, 0.5),
      unit: 'ms',
      detail: `${tries} tries, ${hostile.length}-byte file`,
    },
    {
      bench: 'decode',
      metric: 'reject 65535x65535-header PNG p95',
      value: percentile(rejections, 0.95),
      unit: 'ms',
    },
    {
      bench: 'decode',
      metric: 'peak RSS growth over the rejections',
      value: peakGrowthMiB,
      unit: 'MiB',
      detail: `maxRSS after minus before; decoding would need ${((65535 * 65535 * 4) / 2 ** 30).toFixed(0)} GiB for the pixels alone`,
    },
    {
      bench: 'decode',
      metric: 'decode 280x280 PNG median',
      value: percentile(pngDecodes, 0.5),
      unit: 'ms',
      detail: `${decodes} calls, ${pngBytes.length} bytes`,
    },
    { bench: 'decode', metric: 'decode 280x280 PNG p95', value: percentile(pngDecodes, 0.95), unit: 'ms' },
    {
      bench: 'decode',
      metric: 'decode 280x280 JPEG median',
      value: percentile(jpegDecodes, 0.5),
      unit: 'ms',
      detail: `${decodes} calls, ${jpegBytes.length} bytes, quality 90`,
    },
  ];
  printFigures(figures, options.json);
}
