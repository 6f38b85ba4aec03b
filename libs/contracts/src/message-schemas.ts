// Which schema a message's body must pass, by the subject it came on: one map for every subject sluice publishes on,
// and the parse that looks it up. The transport's routes, the CLI's event follower and the DLQ replay use it.
import type { z } from 'zod';
import {
  CancelRequestSchema,
  CapacityEventSchema,
  DeadLetterSchema,
  FileDiscoveredSchema,
  FileEventSchema,
  RunEventSchema,
  RunRequestSchema,
  WorkAdvisorySchema,
} from './messages';
import { subjectMatches } from './subject-match';
import { SUBJECTS, WORK_ADVISORIES_PATTERN } from './subjects';

/** Every subject constant messages are published on: all of SUBJECTS but `events`, which spans run, file and capacity events. */
type MessageSubject = Exclude<(typeof SUBJECTS)[keyof typeof SUBJECTS], typeof SUBJECTS.events> | typeof WORK_ADVISORIES_PATTERN;

/** Subject (or pattern) → the schema of its body. No two patterns match the same subject. */
export const MESSAGE_SCHEMAS = {
  [SUBJECTS.run]: RunRequestSchema,
  [SUBJECTS.cancel]: CancelRequestSchema,
  /** A dry run asks with the request the run would have. */
  [SUBJECTS.plan]: RunRequestSchema,
  [SUBJECTS.fileDiscovered]: FileDiscoveredSchema,
  [SUBJECTS.runEvents]: RunEventSchema,
  [SUBJECTS.fileEvents]: FileEventSchema,
  [SUBJECTS.capacityEvent]: CapacityEventSchema,
  [SUBJECTS.deadLetters]: DeadLetterSchema,
  [WORK_ADVISORIES_PATTERN]: WorkAdvisorySchema,
} as const satisfies Record<MessageSubject, z.ZodType>;

export type MessagePattern = keyof typeof MESSAGE_SCHEMAS;
export type MessageOf<P extends MessagePattern> = z.output<(typeof MESSAGE_SCHEMAS)[P]>;

/** A parsed message, typed by the pattern its subject matched: narrow it with `switch (parsed.pattern)`. */
export type ParsedMessage = { [P in MessagePattern]: { ok: true; pattern: P; message: MessageOf<P> } }[MessagePattern];

const PATTERNS = Object.keys(MESSAGE_SCHEMAS) as MessagePattern[];

/** The pattern a subject falls under, if sluice publishes on it. */
export function messagePatternOf(subject: string): MessagePattern | undefined {
  return PATTERNS.find((pattern) => subjectMatches(pattern, subject));
}

/**
 * A JSON body checked against the schema of the subject it came on. Refused: a subject sluice does not publish on, or
 * a body that fails its schema (the reason names the first `maxIssues` problems).
 */
export function parseMessage(subject: string, body: unknown, maxIssues = 5): ParsedMessage | { ok: false; reason: string } {
  const pattern = messagePatternOf(subject);
  if (!pattern) return { ok: false, reason: `no schema for subject ${subject}` };
  const schema: z.ZodType = MESSAGE_SCHEMAS[pattern];
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error, maxIssues) };
  return { ok: true, pattern, message: parsed.data } as ParsedMessage;
}

/** `path: problem; …` for the first issues of a schema violation: short enough for a log line or a dead letter. */
export function describeIssues(error: z.ZodError, maxIssues: number): string {
  return error.issues
    .slice(0, maxIssues)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
