// `npm run simulate [-- --tasks 1,10,100 --target-seconds 40 --ms-per-second auto --start-latency 30-60 --through 2026-09 --json out.json]`
// A full-history `reprocess` on 1, 10 and 100 Fargate-like transformer tasks, simulated (issue 15, item 1): the real
// nats-server, S3-compatible server, scanner and capacity manager (ECS backend, against the fake ECS), and simulated
// transformer tasks (bench/fleet/simulated-task.ts) whose time per file comes from a model fitted to `npm run bench`
// (bench/fleet/work-model.ts) and the file sizes of ../shared/DATA.md (bench/fleet/tlc-history.ts). Time is scaled:
// one real second takes `--ms-per-second` ms here (by default, chosen per fleet so that its ideal run takes about
// `--target-seconds` here). Prints a table and writes the figures as JSON. A benchmark, not a test: nothing is asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import pino from 'pino';
import { startPipelineHarness } from '../test/support/pipeline-harness';
import { cliOptions } from './cli-options';
import { MINIMUM_BILLED_SECONDS, ON_DEMAND, SPOT_DISCOUNT, transformerTaskSize } from './fleet/fargate-cost';
import { runFleet, type FleetResult } from './fleet/fleet-run';
import { lastPublishedMonth, tlcHistory } from './fleet/tlc-history';
import * as model from './fleet/work-model';

/**
 * Below this the machine's own time per file (NATS and S3 round trips, a few ms) is a visible part of a simulated
 * file: the 1-task run takes longer than `--target-seconds` rather than go under it.
 */
const MIN_AUTO_MS_PER_SECOND = 6;

interface Args {
  tasks: number[];
  targetSeconds: number;
  msPerSecond: number | 'auto';
  startLatency: { min: number; max: number };
  through: string;
  json: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    tasks: [1, 10, 100],
    targetSeconds: 40,
    msPerSecond: 'auto',
    startLatency: { min: 30, max: 60 },
    through: lastPublishedMonth(new Date()),
    json: join(tmpdir(), 'sluice-simulate.json'),
  };
  for (const { name, value } of cliOptions(argv)) {
    switch (name) {
      case '--tasks': args.tasks = value().split(',').map(Number); break;
      case '--target-seconds': args.targetSeconds = Number(value()); break;
      case '--ms-per-second': { const v = value(); args.msPerSecond = v === 'auto' ? 'auto' : Number(v); break; }
      case '--start-latency': { const [min, max] = value().split('-').map(Number); args.startLatency = { min, max: max ?? min }; break; }
      case '--through': args.through = value(); break;
      case '--json': args.json = value(); break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  if (args.tasks.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) throw new Error('--tasks: whole numbers from 1 to 100 (the stack allows workersMax ≤ 100)');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(args.through)) throw new Error('--through must be YYYY-MM');
  if (!(args.startLatency.min >= 0 && args.startLatency.max >= args.startLatency.min)) throw new Error('--start-latency must be min-max seconds');
  if (args.msPerSecond !== 'auto' && !(args.msPerSecond > 0)) throw new Error('--ms-per-second must be auto or a positive number');
  return args;
}

const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s >= 3600) {
    const minutes = Math.round(s / 60);
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
  }
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
};
const usd = (n: number) => `$${n.toFixed(2)}`;

function table(results: FleetResult[]): string {
  const head = ['tasks', '1 s takes here', 'makespan', 'ideal (work / tasks)', 'makespan / ideal', 'worker time used', 'needed', 'efficiency', 'last file → 0 tasks', 'DescribeServices (max a second)', 'UpdateService (max a minute)', 'on-demand', 'Spot', 'stack default'];
  const rows = results.map((r) => [
    String(r.tasks),
    `${r.msPerSimulatedSecond.toFixed(1)} ms`,
    duration(r.makespanSeconds),
    duration(r.idealSeconds),
    `${(r.makespanSeconds / r.idealSeconds).toFixed(2)}×`,
    duration(r.usedWorkerSeconds),
    duration(r.neededWorkerSeconds),
    `${(100 * r.efficiency).toFixed(0)} %`,
    duration(r.lastDoneToFleetZeroSeconds),
    `${r.ecs.describeServices} (${r.ecs.describeServicesMaxPerSecond})`,
    `${r.ecs.updateService} (${r.ecs.updateServiceMaxPerMinute})`,
    usd(r.cost.onDemandUsd),
    usd(r.cost.spotUsd),
    usd(r.cost.stackDefaultUsd),
  ]);
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const history = tlcHistory(args.through);
  const rows = history.reduce((a, f) => a + f.rows, 0);
  const needed = history.reduce((a, f) => a + model.fileWork(f).seconds, 0);
  const size = transformerTaskSize();
  const perHour = size.vcpu * ON_DEMAND.perVcpuHour + size.memoryGb * ON_DEMAND.perGbHour;
  process.stdout.write(
    `history through ${args.through}: ${history.length} files, ${(rows / 1e9).toFixed(2)} billion rows, ${(history.reduce((a, f) => a + f.bytes, 0) / 1e9).toFixed(0)} GB\n` +
      `model per file: ${model.ENGINE_SECONDS_PER_FILE} s + ${model.ENGINE_SECONDS_PER_MILLION_ROWS} s per million rows (npm run bench, CPU) + bytes in and out at ${model.NETWORK_BYTES_PER_SECOND / 1e6} MB/s → ${duration(needed)} of work\n` +
      `task: ${size.vcpu} vCPU, ${size.memoryGb} GB (infra/lib/settings.ts); us-east-1 on-demand $${ON_DEMAND.perVcpuHour}/vCPU-h + $${ON_DEMAND.perGbHour}/GB-h = $${perHour.toFixed(5)}/h, ` +
      `Spot assumed ${SPOT_DISCOUNT * 100} % off; billed per second from the task's creation, ${MINIMUM_BILLED_SECONDS} s minimum; start latency ${args.startLatency.min}–${args.startLatency.max} s\n`,
  );

  const logFile = join(tmpdir(), `sluice-simulate-tasks-${process.pid}.log`);
  const logger = pino({ level: 'warn', base: { service: 'simulated-task' } }, pino.destination({ dest: logFile, sync: false }));
  const h = await startPipelineHarness({ env: { LOG_LEVEL: 'warn' } });
  const results: FleetResult[] = [];
  try {
    const limit = pLimit(16);
    await Promise.all(history.map((f) => limit(() => h.source.put(f.key, `placeholder for ${f.key}: the simulated tasks never read it\n`))));
    await h.startService('scanner');
    for (const [i, tasks] of args.tasks.entries()) {
      const perSecond = args.msPerSecond === 'auto'
        ? Math.min(1000, Math.max(MIN_AUTO_MS_PER_SECOND, (args.targetSeconds * 1000) / (needed / tasks + (args.startLatency.min + args.startLatency.max) / 2)))
        : args.msPerSecond;
      process.stdout.write(`\n${tasks} task(s): 1 s simulated = ${perSecond.toFixed(1)} ms here …\n`);
      const result = await runFleet(h, { tasks, scale: new model.TimeScale(perSecond), history, startLatency: args.startLatency, seed: 15 + i, logger });
      results.push(result);
      process.stdout.write(
        `  run ${duration(result.makespanSeconds)} (ideal ${duration(result.idealSeconds)}), peak ${result.peakTasks} tasks, first UpdateService after ${duration(result.firstScaleUpAfterSeconds ?? NaN)}` +
          `${result.fullFleetAfterSeconds !== undefined ? `, all ${tasks} running after ${duration(result.fullFleetAfterSeconds)}` : ''}, ` +
          `desiredCount ${result.desiredCounts.join(' → ')}, files ${result.overrunPercent.toFixed(1)} % over the model, ${result.redeliveries} redeliveries; ${result.hereSeconds.toFixed(0)} s here\n`,
      );
    }
  } finally {
    await h.stop();
    logger.flush();
  }
  process.stdout.write(`\n${table(results)}\n`);
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(
    args.json,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        through: args.through,
        files: history.length,
        rows,
        model: {
          engineSecondsPerFile: model.ENGINE_SECONDS_PER_FILE,
          engineSecondsPerMillionRows: model.ENGINE_SECONDS_PER_MILLION_ROWS,
          outputBytesPerSourceByte: model.OUTPUT_BYTES_PER_SOURCE_BYTE,
          networkBytesPerSecond: model.NETWORK_BYTES_PER_SECOND,
        },
        taskSize: size,
        prices: { region: 'us-east-1', onDemand: ON_DEMAND, spotDiscount: SPOT_DISCOUNT, minimumBilledSeconds: MINIMUM_BILLED_SECONDS },
        startLatencySeconds: args.startLatency,
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nfigures: ${args.json}; simulated tasks' warnings: ${logFile}; services' logs: ${h.logDir}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
