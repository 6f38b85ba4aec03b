// Prometheus metrics of every sluice service, in one registry served at `/metrics`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'sluice_' });

export const metrics = {
  filesProcessed: new Counter({
    name: 'sluice_files_processed_total',
    help: 'Files normalized and committed (manifest written)',
    labelNames: ['dataset'],
    registers: [registry],
  }),
  filesFailed: new Counter({
    name: 'sluice_files_failed_total',
    help: 'Files that failed for good (dead-lettered), by reason code',
    labelNames: ['dataset', 'code'],
    registers: [registry],
  }),
  rowsIn: new Counter({ name: 'sluice_rows_in_total', help: 'Source rows read', labelNames: ['dataset'], registers: [registry] }),
  rowsOut: new Counter({ name: 'sluice_rows_out_total', help: 'Rows written to outputs', labelNames: ['dataset'], registers: [registry] }),
  rowsDropped: new Counter({
    name: 'sluice_rows_dropped_total',
    help: 'Invalid rows dropped, by quality rule',
    labelNames: ['dataset', 'rule'],
    registers: [registry],
  }),
  outputBytes: new Counter({ name: 'sluice_output_bytes_total', help: 'Bytes of committed outputs', labelNames: ['dataset'], registers: [registry] }),
  fileSeconds: new Histogram({
    name: 'sluice_file_processing_seconds',
    help: 'Time to process one file, download to commit',
    labelNames: ['dataset'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  }),
  backlog: new Gauge({ name: 'sluice_backlog', help: 'Files waiting or in progress (num_pending + num_ack_pending)', registers: [registry] }),
  workersDesired: new Gauge({ name: 'sluice_workers_desired', help: 'Transformer workers asked for', registers: [registry] }),
  workersRunning: new Gauge({ name: 'sluice_workers_running', help: 'Transformer workers running', registers: [registry] }),
  backlogAgeSeconds: new Gauge({
    name: 'sluice_backlog_age_seconds',
    help: 'Age of the oldest message in the work stream (waiting or in progress); 0 when it is empty',
    registers: [registry],
  }),
  dlqMessages: new Gauge({ name: 'sluice_dlq_messages', help: 'Messages in the dead-letter stream', registers: [registry] }),
  runsStuck: new Gauge({
    name: 'sluice_runs_stuck',
    help: 'Active runs with no progress for the watchdog grace period (0 or 1; reported by the scanner holding the run lock)',
    registers: [registry],
  }),
  redeliveries: new Counter({
    name: 'sluice_redeliveries_total',
    help: 'Messages delivered more than once',
    labelNames: ['consumer'],
    registers: [registry],
  }),
  settlements: new Counter({
    name: 'sluice_messages_settled_total',
    help: 'Messages settled by the transport, by action (ack, nak, dead_letter)',
    labelNames: ['consumer', 'action'],
    registers: [registry],
  }),
};
