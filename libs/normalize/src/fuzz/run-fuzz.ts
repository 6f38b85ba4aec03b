// `npm run fuzz -- [--seconds N] [--seed S] [--cases N] [--case SEED …] [--no-save]`: the long fuzz campaign on
// demand. Failing cases are saved under libs/normalize/test-fixtures/fuzz/ (the tests replay every one there).
// `--case SEED` replays single cases by their seed, as printed by a failure.
import { parseArgs } from 'node:util';
import { FIXTURE_DIR, formatSummary, runCampaign } from './fuzz-campaign';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string' },
      cases: { type: 'string' },
      case: { type: 'string', multiple: true },
      'no-save': { type: 'boolean', default: false },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const caseSeeds = values.case?.map(Number);
  console.log(
    caseSeeds ? `fuzz: replaying ${caseSeeds.length} case(s)` : `fuzz: seed ${seed}, ${values.cases ?? '∞'} cases, ${values.seconds} s at most`,
  );
  const summary = await runCampaign({
    seed,
    caseSeeds,
    cases: values.cases !== undefined ? Number(values.cases) : undefined,
    seconds: caseSeeds ? undefined : Number(values.seconds),
    saveDir: values['no-save'] ? undefined : FIXTURE_DIR,
    log: (line) => console.log(line),
  });
  console.log(formatSummary(summary));
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}

void main();
