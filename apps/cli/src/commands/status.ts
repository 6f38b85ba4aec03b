// `sluice status [runId]`: streams, consumers (pending, ack pending, redelivered, waiting pulls), workers, runs.
import { CapacityEventSchema, DURABLES, failureOf, isFinalRunState, STREAMS, SUBJECTS, type ActiveRunLock, type RunRecord } from '@sluice/contracts';
import { openCliContext, type CliContext } from '../cli-context';
import { describeFailure } from '../failure-text';
import { listingLines } from '../plan-listing';

export async function statusCommand(runId: string | undefined, opts: { json?: boolean }): Promise<number> {
  const ctx = await openCliContext();
  try {
    const status = await collectStatus(ctx, runId);
    if (opts.json) console.log(JSON.stringify(status, null, 2));
    else printStatus(status);
    return runId && !status.run ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

export async function collectStatus(ctx: CliContext, runId?: string) {
  const streams = [];
  for (const name of Object.values(STREAMS)) {
    const info = await ctx.jsm.streams.info(name).catch(() => undefined);
    streams.push({ stream: name, messages: info?.state.messages ?? null, bytes: info?.state.bytes ?? null, exists: Boolean(info) });
  }
  const consumers = [];
  for (const { stream, consumer: name } of Object.values(DURABLES)) {
    const info = await ctx.jsm.consumers.info(stream, name).catch(() => undefined);
    consumers.push({
      stream,
      consumer: name,
      pending: info?.num_pending ?? null,
      ackPending: info?.num_ack_pending ?? null,
      redelivered: info?.num_redelivered ?? null,
      waitingPulls: info?.num_waiting ?? null,
    });
  }
  const lastCapacity = await ctx.jsm.streams
    .getMessage(STREAMS.events, { last_by_subj: SUBJECTS.capacityEvent })
    .then((m) => (m ? CapacityEventSchema.safeParse(m.json()).data : undefined))
    .catch(() => undefined);
  const lock = await ctx.runs.activeLock();
  const run = runId ? await ctx.runs.get(runId) : lock ? await ctx.runs.get(lock.runId) : undefined;
  const recent = runId ? [] : (await ctx.runs.list()).slice(0, 5).map((r) => summary(r));
  const now = Date.now();
  return {
    streams,
    consumers,
    workers: lastCapacity ? { desired: lastCapacity.to, running: lastCapacity.running, backend: lastCapacity.backend, at: lastCapacity.at } : { desired: 0, running: 0 },
    activeRunId: lock?.runId ?? null,
    lock: lock ? describeLock(lock, now) : null,
    run: run ? summary(run, now) : undefined,
    recentRuns: recent,
  };
}

/** The lease on the active-run lock: who holds it and how long it has left (negative: expired, a live scanner takes it over). */
function describeLock(lock: ActiveRunLock, now: number) {
  return {
    runId: lock.runId,
    holder: lock.holder ?? null,
    since: lock.since,
    expiresInMs: lock.expiresAt ? Date.parse(lock.expiresAt) - now : null,
  };
}

function summary(r: RunRecord, now = Date.now()) {
  const lastProgressAt = r.lastProgressAt ?? r.startedAt;
  return {
    runId: r.runId,
    intent: r.intent,
    state: r.state,
    total: r.total,
    done: r.done,
    failed: r.failed,
    skipped: r.skipped,
    source: r.source,
    sourceListing: r.sourceListing,
    sink: r.sink,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt ?? null,
    lastProgressAt,
    /** How long an active run has gone without a file settling; null once it has finished. */
    noProgressForMs: isFinalRunState(r.state) ? null : Math.max(0, now - Date.parse(lastProgressAt)),
    failures: Object.entries(r.files)
      .filter(([, f]) => f.status === 'failed')
      .map(([key, f]) => ({ key, ...failureOf(f) })),
  };
}

/** 93_000 → `1m 33s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

function printStatus(s: Awaited<ReturnType<typeof collectStatus>>): void {
  console.log('STREAM              MESSAGES      BYTES');
  for (const st of s.streams) console.log(`${st.stream.padEnd(18)} ${String(st.messages ?? 'missing').padStart(9)} ${String(st.bytes ?? '').padStart(10)}`);
  console.log('\nCONSUMER            STREAM              PENDING  ACK-PENDING  REDELIVERED  WAITING-PULLS');
  for (const c of s.consumers) {
    const cell = (v: number | null) => String(v ?? '-').padStart(7);
    console.log(`${c.consumer.padEnd(19)} ${c.stream.padEnd(18)} ${cell(c.pending)}  ${cell(c.ackPending).padStart(11)}  ${cell(c.redelivered).padStart(11)}  ${cell(c.waitingPulls).padStart(13)}`);
  }
  console.log(`\nworkers: ${s.workers.running} running, ${s.workers.desired} desired`);
  console.log(`active run: ${s.activeRunId ?? 'none'}`);
  if (s.lock) {
    const { holder, expiresInMs } = s.lock;
    const lease = expiresInMs === null ? 'no lease (written by an older scanner)' : expiresInMs >= 0 ? `lease renewed, ${formatDuration(expiresInMs)} left` : `lease EXPIRED ${formatDuration(-expiresInMs)} ago: a live scanner takes the run over`;
    console.log(`  lock held by ${holder ?? 'an unknown scanner'}; ${lease}`);
  }
  if (s.run) {
    const r = s.run;
    console.log(`\nrun ${r.runId} (${r.intent}): ${r.state} — ${r.done} done, ${r.failed} failed, ${r.skipped} skipped of ${r.total}`);
    if (r.noProgressForMs !== null) console.log(`  no progress for ${formatDuration(r.noProgressForMs)} (last file settled or run planned at ${r.lastProgressAt})`);
    for (const line of listingLines(r.sourceListing)) console.log(`  ${line}`);
    for (const f of r.failures) console.log(`  failed ${f.key}: ${describeFailure(f)}`);
  }
  if (s.recentRuns.length > 0) {
    console.log('\nRECENT RUNS');
    for (const r of s.recentRuns) console.log(`  ${r.runId.padEnd(32)} ${r.intent.padEnd(12)} ${r.state.padEnd(24)} ${r.done}/${r.total} done, ${r.failed} failed`);
  }
}
