// Run state for every service, read only. The writer is a separate entry point, `@sluice/run-state/writer`, that only
// the scanner may import (test/architecture/import-rules.ts).
export * from './run.reader';
