// The Nats-Msg-Id of every publish that must not be stored twice. Inside its stream's duplicate window JetStream
// stores the first message with an id and answers `duplicate` for the others, so each id names exactly what makes
// the message one of a kind; two builders must never produce the same id for different messages.

/** `pipeline.run` for a run id: a request retried (by the CLI, the demo, a test) starts the run once. */
export const runRequestMsgId = (runId: string): string => `run:${runId}`;

/** `pipeline.run` from the scanner's schedule: scanners ticking for the same scheduled time request one run. */
export const scheduledRunMsgId = (scheduledFor: string): string => `schedule:${scheduledFor}`;

/** Work (`pipeline.file.discovered`): a scanner that restarts mid-listing cannot enqueue a file of a run twice. */
export const workMsgId = (file: { runId: string; dataset: string; source: { key: string } }): string =>
  `${file.runId}:${file.dataset}:${file.source.key}`;

/** The run events published once per run, however often the step that publishes them is retried. */
export type OncePerRunEvent = 'accepted' | 'planned' | 'completed';
export const runEventMsgId = (type: OncePerRunEvent, runId: string): string => `${type}:${runId}`;

/** The scanner's `failed` event for a file whose work message was lost: one per file, however many ticks see it. */
export const lostFileMsgId = (runId: string, sourceKey: string): string => `lost:${runId}:${sourceKey}`;

/** A dead letter: one per stored message, however often its settlement is retried. */
export const deadLetterMsgId = (parked: { stream: string; streamSeq: number }): string => `dlq:${parked.stream}:${parked.streamSeq}`;
