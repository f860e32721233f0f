import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory, writeMnistPngs, writeNumberPng } from './helpers.js';

/** Model loads and decoding run for real; this is a ceiling for slow machines, not a measurement. */
const SLOW = 60_000;

let work: { dir: string; remove(): Promise<void> };
let digits: Array<{ file: string; label: number }>;
const cli = (...argv: string[]) => runCli(argv, { cwd: work.dir });

beforeAll(async () => {
  work = await temporaryDirectory();
  digits = await writeMnistPngs(work.dir, [0, 1, 2, 3, 4]);
});
afterAll(() => work.remove());

describe('help and usage errors', () => {
  it('prints the overview and each command help with exit code 0', async () => {
    const overview = await cli('--help');
    expect(overview.code).toBe(0);
    for (const name of [
      'predict',
      'read-number',
      'correct',
      'stats',
      'export',
      'import',
      'train',
      'retrain',
    ]) {
      expect(overview.stdout).toContain(`  ${name} `);
      const help = await cli(name, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: crazy-digits ${name}`);
    }
    expect((await cli('help', 'stats')).stdout).toContain('Usage: crazy-digits stats');
    expect((await cli('train', '--help')).stdout).not.toContain('--limit');
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['--data', 'x', 'stats']],
    [['stats', '--nope']],
    [['stats', 'extra']],
    [['predict']],
    [['predict', '--backend', 'gpu', 'a.png']],
    [['read-number']],
    [['read-number', 'a.png', 'b.png']],
    [['read-number', 'a.png', '--digits']],
    [['read-number', 'a.png', '--digits', 'four']],
    [['read-number', 'a.png', '--digits', '0']],
    [['read-number', 'a.png', '--digits', '33']],
    [['read-number', 'a.png', '--digits', '5-3']],
    [['read-number', 'a.png', '--digits', '2-']],
    [['read-number', 'a.png', '--digits', '-3']],
    [['correct', 'a.png']],
    [['correct', 'a.png', '12']],
    [['correct', 'a.png', 'seven']],
    [['import']],
    [['train', '--epochs', 'zero']],
    [['train', '--workers', '-1']],
    [['train', '--limit', '100', '--batch', '128', '--data', 'batch']],
    [['help', 'frobnicate']],
  ])('%j is a usage error: exit code 2 and a hint on stderr', async (argv) => {
    const run = await runCli(argv, { cwd: work.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^crazy-digits: /);
    expect(run.stderr).toContain('--help');
  });
});

describe('predict', () => {
  it(
    'recognises MNIST digits rendered as PNGs with the bundled model',
    async () => {
      const text = await cli('predict', ...digits.map((d) => d.file));
      expect(text.code).toBe(0);
      expect(text.stderr).toBe('');
      const lines = text.stdout.trim().split('\n');
      digits.forEach(({ file, label }, i) => {
        expect(lines[i]).toMatch(
          new RegExp(`^${file}: ${label} \\(confidence [01]\\.\\d{3}(, uncertain)?\\)$`),
        );
      });

      const json = await cli('predict', '--json', ...digits.map((d) => d.file));
      expect(json.code).toBe(0);
      const output = JSON.parse(json.stdout) as {
        model: string;
        results: Array<{ file: string; digit: number; confidence: number; uncertain: boolean }>;
      };
      expect(output.model).toMatch(/^bundled /);
      expect(output.results.map((r) => r.digit)).toEqual(digits.map((d) => d.label));
      for (const result of output.results) {
        expect(result.confidence).toBeGreaterThan(0.5);
        expect(typeof result.uncertain).toBe('boolean');
      }
    },
    SLOW,
  );

  it(
    'reports a missing or undecodable file clearly, still recognises the rest, and exits 1',
    async () => {
      await writeFile(join(work.dir, 'notes.txt'), 'not an image');
      const first = digits[0];
      if (!first) throw new Error('no digits written');
      const run = await cli('predict', 'missing.png', first.file, 'notes.txt');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`^${first.file}: ${first.label} \\(confidence [^)]*\\)\n$`));
      expect(run.stderr).toContain('crazy-digits: missing.png: cannot read the file: no such file (ENOENT)');
      expect(run.stderr).toContain('crazy-digits: notes.txt: ');
      expect(run.stderr).toContain('(UNSUPPORTED_IMAGE_FORMAT)');

      const json = await cli('predict', '--json', 'missing.png');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).results[0].error.code).toBe('IMAGE_FILE_UNREADABLE');
    },
    SLOW,
  );

  it(
    'creates nothing in a data directory that does not exist',
    async () => {
      const first = digits[0];
      if (!first) throw new Error('no digits written');
      expect((await cli('predict', first.file, '--data', 'nowhere')).code).toBe(0);
      const run = await cli('stats', '--data', 'nowhere');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('(does not exist yet)');
      expect(run.stdout).toContain('corrections: 0');
      await expect(readFile(join(work.dir, 'nowhere'))).rejects.toThrow(/ENOENT/);
    },
    SLOW,
  );
});

describe('read-number', () => {
  it(
    'reads a handwritten number: the text, its confidence, and each digit with its box',
    async () => {
      const drawn = await writeNumberPng(work.dir, 'number.png', [0, 1, 2]);
      const text = await cli('read-number', 'number.png');
      expect(text.code).toBe(0);
      expect(text.stderr).toBe('');
      const [first, ...digitLines] = text.stdout.trim().split('\n');
      expect(first).toMatch(new RegExp(`^number\\.png: ${drawn.text} \\(confidence [01]\\.\\d{3}\\)$`));
      expect(digitLines).toHaveLength(drawn.text.length);
      digitLines.forEach((line, i) => {
        expect(line).toMatch(
          new RegExp(
            `^  ${i + 1}: ${drawn.text[i]} \\(confidence [01]\\.\\d{3}(, uncertain)?\\) box \\d+,\\d+ \\d+x\\d+$`,
          ),
        );
      });

      const json = await cli('read-number', 'number.png', '--json', '--digits', '3');
      expect(json.code).toBe(0);
      const reading = JSON.parse(json.stdout) as {
        model: string;
        file: string;
        text: string;
        confidence: number;
        digits: Array<{ digit: number; box: { x: number; y: number; width: number; height: number } }>;
      };
      expect(reading).toMatchObject({ file: 'number.png', text: drawn.text });
      expect(reading.model).toMatch(/^bundled /);
      expect(reading.confidence).toBeGreaterThan(0.5);
      reading.digits.forEach((digit, i) => {
        expect(Object.keys(digit).sort()).toEqual([
          'box',
          'confidence',
          'digit',
          'probabilities',
          'uncertain',
        ]);
        // Each box holds the middle of the digit drawn there.
        const drawnBox = drawn.boxes[i] ?? digit.box;
        const middle = drawnBox.x + drawnBox.width / 2;
        expect(digit.box.x).toBeLessThan(middle);
        expect(digit.box.x + digit.box.width).toBeGreaterThan(middle);
      });
      const ranged = await cli('read-number', 'number.png', '--json', '--digits', '2-4');
      expect(JSON.parse(ranged.stdout).text).toBe(drawn.text);
      // A count the drawing cannot be split into: the best reading, with confidence 0.
      const forced = await cli('read-number', 'number.png', '--json', '--digits', '12');
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout).confidence).toBe(0);
    },
    SLOW,
  );

  it(
    'reports a blank image, a missing file and a file that is not an image with exit code 1',
    async () => {
      const blank = new PNG({ width: 840, height: 280 });
      blank.data.fill(255);
      await writeFile(join(work.dir, 'blank.png'), PNG.sync.write(blank));
      const empty = await cli('read-number', 'blank.png');
      expect(empty.code).toBe(1);
      expect(empty.stdout).toBe('');
      expect(empty.stderr).toMatch(/^crazy-digits: blank\.png: .*\(EMPTY_IMAGE\)\n$/);
      const missing = await cli('read-number', 'missing.png', '--json');
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toContain(
        'crazy-digits: missing.png: cannot read the file: no such file (ENOENT)',
      );
      await writeFile(join(work.dir, 'number.txt'), 'not an image');
      const notImage = await cli('read-number', 'number.txt');
      expect(notImage.code).toBe(1);
      expect(notImage.stderr).toContain('(UNSUPPORTED_IMAGE_FORMAT)');
    },
    SLOW,
  );

  it('refuses a bad --digits value as a usage error naming the value', async () => {
    await writeNumberPng(work.dir, 'pair.png', [3, 4]);
    for (const value of ['0', '33', '5-3', 'four', '2.5']) {
      const run = await cli('read-number', 'pair.png', '--digits', value);
      expect(run.code, value).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `--digits must be a count 1-32 or a range MIN-MAX within it, got '${value}'`,
      );
    }
  });
});

describe('correct, stats, export and import', () => {
  it(
    'stores corrections durably, counts them, and round-trips them through an export',
    async () => {
      const [seven, two] = digits;
      if (!seven || !two) throw new Error('no digits written');
      const wrong = (seven.label + 1) % 10;
      const first = await cli('correct', seven.file, String(wrong), '--data', 'a');
      expect(first.code).toBe(0);
      const id = first.stdout.trim();
      expect(id).toMatch(/^\S+$/);
      const second = await cli('correct', '--json', two.file, String(two.label), '-d', 'a');
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ file: two.file, label: two.label });

      // The correction is in effect for the next process that opens the data directory.
      const after = await cli('predict', '--json', seven.file, '--data', 'a');
      expect(JSON.parse(after.stdout).results[0].digit).toBe(wrong);

      const stats = await cli('stats', '--json', '--data', 'a');
      expect(stats.code).toBe(0);
      const counts = JSON.parse(stats.stdout);
      expect(counts.corrections.total).toBe(2);
      expect(counts.corrections.byLabel[String(wrong)]).toBe(wrong === two.label ? 2 : 1);
      expect(counts.currentModel).toBeNull();
      expect(counts.versions).toEqual([]);
      const text = await cli('stats', '--data', 'a');
      expect(text.stdout).toContain('corrections: 2');
      expect(text.stdout).toContain('the bundled pretrained model');

      const exported = await cli('export', 'backup.ndjson', '--data', 'a');
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain('exported 2 corrections to backup.ndjson');
      const backup = await readFile(join(work.dir, 'backup.ndjson'), 'utf8');
      const lines = backup.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ format: 'crazy-digits/corrections' });
      expect(JSON.parse(lines[1] ?? '').id).toBe(id);
      const toStdout = await cli('export', '--data', 'a');
      expect(toStdout.stdout).toBe(backup);

      const imported = await cli('import', 'backup.ndjson', '--data', 'b');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('imported 2, skipped 0');
      const again = await runCli(['import', '-', '--json', '--data', 'b'], {
        cwd: work.dir,
        stdin: (async function* () {
          yield backup.slice(0, 100);
          yield Buffer.from(backup.slice(100));
        })(),
      });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ imported: 0, skipped: 2 });
      expect((await cli('export', '--data', 'b')).stdout).toBe(backup);
    },
    SLOW,
  );

  it('refuses what is not an export, and a file that is not there, with exit code 1', async () => {
    await writeFile(join(work.dir, 'bogus.ndjson'), '{"hello":"world"}\n');
    const bogus = await cli('import', 'bogus.ndjson', '--data', 'c');
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toContain('not a crazy-digits corrections export (INVALID_EXPORT)');
    const missing = await cli('import', 'missing.ndjson', '--data', 'c');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('crazy-digits: missing.ndjson: no such file (ENOENT)\n');
  });

  it(
    'refuses a correction of an image that cannot be read, storing nothing',
    async () => {
      const run = await cli('correct', 'missing.png', '3', '--data', 'd');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('missing.png: cannot read the file: no such file (ENOENT)');
      expect(JSON.parse((await cli('stats', '--json', '--data', 'd')).stdout).corrections.total).toBe(0);
    },
    SLOW,
  );
});

describe('retrain', () => {
  it(
    'fails clearly when there is nothing to learn',
    async () => {
      const run = await cli('retrain', '--data', 'empty-retrain');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('there are no corrections to retrain on');
    },
    SLOW,
  );

  it(
    'consolidates the stored corrections into a new current version that predict then serves',
    async () => {
      for (const digit of digits) {
        expect((await cli('correct', digit.file, String(digit.label), '--data', 'r')).code).toBe(0);
      }
      const run = await cli('retrain', '--json', '--data', 'r');
      expect(run.code).toBe(0);
      const outcome = JSON.parse(run.stdout);
      expect(outcome).toMatchObject({ accepted: true, corrections: digits.length });
      expect(outcome.metrics.correctionsFit).toBe(1);
      const stats = JSON.parse((await cli('stats', '--json', '--data', 'r')).stdout);
      expect(JSON.stringify(stats)).toContain(outcome.version);
      const predicted = await cli('predict', '--json', '--data', 'r', digits[0]?.file ?? '');
      expect(predicted.code).toBe(0);
      expect(predicted.stdout).toContain(outcome.version);
    },
    SLOW * 2,
  );
});

describe('the bin launcher', () => {
  const bin = fileURLToPath(new URL('../bin/crazy-digits.mjs', import.meta.url));
  const run = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
        cwd: work.dir,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it(
    'runs the CLI from its sources in any working directory, with its exit codes',
    async () => {
      const first = digits[0];
      if (!first) throw new Error('no digits written');
      const predicted = await run(['predict', first.file, '--data', 'f']);
      expect(predicted.code).toBe(0);
      expect(predicted.stdout).toMatch(new RegExp(`^${first.file}: ${first.label} `));
      const usage = await run(['correct', first.file]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('correct needs <image> <label>');
    },
    SLOW,
  );
});
