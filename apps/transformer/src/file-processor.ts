// One file, start to commit: ranged download of the pinned source version → normalize → upload the output at its
// deterministic key → write the manifest (the commit point). Scratch files live in a per-file temp dir, always removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestKey, outputKey, PermanentError, type FileDiscovered, type Manifest } from '@sluice/contracts';
import { normalizeFile, type QualityReport } from '@sluice/normalize';
import type { Source } from '@sluice/sources';
import type { ObjectStore } from '@sluice/storage';

export interface ProcessedFile {
  report: QualityReport;
  outputKey: string;
  outputBytes: number;
  manifest: Manifest;
}

export interface FileProcessorOptions {
  workDir?: string;
  rowGroupRows: number;
  readChunkBytes: number;
}

export async function processFile(
  file: FileDiscovered,
  stores: { source: Source; output: ObjectStore },
  opts: FileProcessorOptions,
): Promise<ProcessedFile> {
  const dir = await mkdtemp(join(opts.workDir ?? tmpdir(), 'sluice-file-'));
  try {
    const inputPath = join(dir, 'source.parquet');
    const outputPath = join(dir, 'output.parquet');
    // Pinned to the version current when this attempt starts (the planned one, unless it was replaced since):
    // the manifest records the ETag actually read, so the next incremental run compares against the truth.
    const pinned = await stores.source.download(file.source.key, inputPath, { chunkBytes: opts.readChunkBytes });
    const report = await normalizeFile({ inputPath, outputPath, dataset: file.dataset, month: file.month, rowGroupRows: opts.rowGroupRows });
    if (report.rowsOut + Object.values(report.dropped).reduce((a, b) => a + b, 0) !== report.rowsIn) {
      throw new PermanentError('row_count_mismatch', `rows in ${report.rowsIn} != rows out ${report.rowsOut} + dropped`);
    }
    const key = outputKey(file.dataset, file.month);
    const uploaded = await stores.output.upload(key, outputPath, { contentType: 'application/vnd.apache.parquet' });
    const manifest: Manifest = {
      manifestVersion: 1,
      dataset: file.dataset,
      month: file.month,
      source: { store: stores.source.url, key: file.source.key, etag: pinned.etag, size: pinned.size },
      schemaVersion: report.schemaVersion,
      rowsIn: report.rowsIn,
      rowsOut: report.rowsOut,
      dropped: report.dropped,
      droppedColumns: report.droppedColumns,
      output: { key, bytes: uploaded.size, rowGroups: report.rowGroups },
      runId: file.runId,
      writtenAt: new Date().toISOString(),
    };
    // The manifest is written last: until it exists, a reader (and the next incremental run) ignores the output.
    await stores.output.put(manifestKey(file.dataset, file.month), JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
    return { report, outputKey: key, outputBytes: uploaded.size, manifest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
