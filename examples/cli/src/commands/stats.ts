import type { ModelVersion } from '@crazy-digits/core';
import { type Command, DATA_HELP } from '../command.js';
import { openDataDir } from '../data.js';
import { dataOptions, jsonOptions, parseCommandArgs, pathFrom, println, rejectPositionals } from '../io.js';

const describeVersion = (v: ModelVersion, current: string | undefined): string => {
  const details = [
    new Date(v.createdAt).toISOString(),
    ...Object.entries(v.metrics ?? {}).map(([name, value]) => `${name} ${Number(value.toFixed(4))}`),
    ...(v.note ? [v.note] : []),
  ];
  return `${v.version === current ? '* ' : '  '}${v.version}  ${details.join(', ')}`;
};

export const statsCommand: Command = {
  name: 'stats',
  synopsis: '',
  summary: 'corrections per label, current and kept model versions',
  help: `Usage: crazy-digits stats [options]

Shows how many corrections the data directory holds, per label, which model version is current
(or that the bundled model is used) and the versions kept for rollback, oldest first.

Options:
      --json            print { dataDir, corrections: { total, byLabel }, currentModel, versions }
${DATA_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...dataOptions, ...jsonOptions });
    rejectPositionals(positionals);
    const data = await openDataDir(pathFrom(io, values.data), { create: false });
    try {
      const byLabel = Array.from({ length: 10 }, () => 0);
      for await (const correction of data.corrections.iterate()) {
        byLabel[correction.label] = (byLabel[correction.label] ?? 0) + 1;
      }
      const total = byLabel.reduce((sum, n) => sum + n, 0);
      const current = (await data.models.current())?.version;
      const versions = await data.models.list();

      if (values.json) {
        const labels = Object.fromEntries(byLabel.map((count, label) => [String(label), count]));
        println(
          io.stdout,
          JSON.stringify({
            dataDir: data.dir,
            corrections: { total, byLabel: labels },
            currentModel: current ?? null,
            versions,
          }),
        );
        return 0;
      }
      println(io.stdout, `data directory: ${data.dir}${data.exists ? '' : ' (does not exist yet)'}`);
      println(io.stdout, `corrections: ${total}`);
      if (total > 0) {
        const counts = byLabel.flatMap((count, label) => (count > 0 ? [`${label}: ${count}`] : []));
        println(io.stdout, `  by label: ${counts.join(', ')}`);
      }
      println(io.stdout, `current model: ${current ?? 'the bundled pretrained model (no version saved)'}`);
      if (versions.length > 0) {
        println(io.stdout, `kept versions, oldest first (* current):`);
        for (const version of versions) println(io.stdout, `  ${describeVersion(version, current)}`);
      }
      return 0;
    } finally {
      await data.close();
    }
  },
};
