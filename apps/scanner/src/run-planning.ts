// The I/O around the pure planner: list the source, read the sink's manifests, plan. Shared by real runs and
// `--dry-run`, so a preview lists exactly what the run would process.
import { Inject, Injectable } from '@nestjs/common';
import { outputKey, type OutputTarget, type PlanPreview, type RunRequest } from '@sluice/contracts';
import { LOGGER } from '@sluice/messaging';
import { schemaVersionFor } from '@sluice/normalize';
import type { Logger } from '@sluice/observability';
import { SOURCE, type Source } from '@sluice/sources';
import { PipelineStores } from '@sluice/storage';
import { readCommittedOutputs } from './committed-outputs';
import { planRun, type Plan } from './run-planner';
import { listSources, type SourceListing } from './source-lister';

export interface PlannedRun {
  target: OutputTarget;
  plan: Plan;
  listing: SourceListing;
}

@Injectable()
export class RunPlanning {
  constructor(
    private readonly stores: PipelineStores,
    @Inject(SOURCE) private readonly source: Source,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async plan(request: RunRequest, log: Logger = this.log): Promise<PlannedRun> {
    const filters = { datasets: request.datasets, months: request.months, limit: request.limit };
    const [listing, committed] = await Promise.all([
      listSources(this.source, filters),
      readCommittedOutputs(this.stores.sink, log),
    ]);
    const plan = planRun({
      intent: request.intent,
      sources: listing.files,
      committed,
      schemaVersionOf: schemaVersionFor,
      filters,
      listingComplete: listing.summary.complete,
    });
    const { summary } = listing;
    log.info(
      {
        source: summary.url,
        candidates: summary.candidates,
        found: summary.found,
        absent: summary.absent,
        unknown: summary.unknown.length,
        toProcess: plan.files.length,
        upToDate: plan.upToDate,
        orphans: plan.orphans.length,
        unsupported: plan.unsupported.length,
        conflicts: plan.conflicts.length,
        ignored: listing.ignored.length,
      },
      'run planned',
    );
    for (const u of summary.unknown) log.warn({ key: u.key, reason: u.reason }, 'source file state unknown: not processed, not treated as absent');
    return { target: request.intent === 'test_subset' ? 'test' : 'production', plan, listing };
  }

  static preview(request: RunRequest, planned: PlannedRun): PlanPreview {
    const { plan, listing } = planned;
    return {
      intent: request.intent,
      target: planned.target,
      source: listing.summary,
      // flat, as `sluice run --dry-run --json` has always printed it
      files: plan.files.map(({ dataset, month, source, reason }) => ({ key: source.key, dataset, month, reason, etag: source.etag, size: source.size })),
      orphans: plan.orphans.map((o) => ({ dataset: o.dataset, month: o.month, outputKey: outputKey(o.dataset, o.month), sourceKey: o.source.key })),
      upToDate: plan.upToDate,
      unsupported: plan.unsupported.map((f) => f.source.key),
      conflicts: plan.conflicts.map((f) => f.source.key),
      ignored: listing.ignored.length,
    };
  }
}
