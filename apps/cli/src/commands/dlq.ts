// `sluice dlq list | replay <id…|--all> | purge`: the dead-letter stream, for operators.
import { DeadLetterSchema, STREAMS, type DeadLetter } from '@sluice/contracts';
import { openCliContext, type CliContext } from '../cli-context';

interface Letter {
  id: number;
  letter: DeadLetter;
}

async function readLetters(ctx: CliContext, limit: number): Promise<Letter[]> {
  const info = await ctx.jsm.streams.info(STREAMS.dlq);
  const letters: Letter[] = [];
  if (info.state.messages === 0) return letters;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && letters.length < limit; seq += 1) {
    const m = await ctx.jsm.streams.getMessage(STREAMS.dlq, { seq }).catch(() => undefined);
    if (!m) continue; // deleted (replayed)
    const parsed = DeadLetterSchema.safeParse(m.json());
    if (parsed.success) letters.push({ id: seq, letter: parsed.data });
  }
  return letters;
}

export async function dlqListCommand(opts: { json?: boolean; limit?: number }): Promise<number> {
  const ctx = await openCliContext();
  try {
    const letters = await readLetters(ctx, opts.limit ?? 1_000);
    if (opts.json) {
      console.log(JSON.stringify(letters.map(({ id, letter }) => ({ id, ...letter, payloadBase64: undefined })), null, 2));
      return 0;
    }
    if (letters.length === 0) {
      console.log('no dead letters');
      return 0;
    }
    console.log('ID     TIME                      SUBJECT                      DELIVERIES  RUN                       FILE / REASON');
    for (const { id, letter: d } of letters) {
      console.log(
        `${String(id).padEnd(6)} ${d.at.padEnd(25)} ${d.subject.padEnd(28)} ${String(d.deliveryCount).padStart(10)}  ${(d.runId ?? '-').padEnd(25)} ${d.key ?? '-'}`,
      );
      console.log(`${' '.repeat(7)}${d.code}: ${d.reason.slice(0, 300)}`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

/** Publishes each letter's payload to its original subject again, then removes the letter. */
export async function dlqReplayCommand(ids: string[], opts: { all?: boolean }): Promise<number> {
  if (!opts.all && ids.length === 0) throw new Error('give dead-letter ids (see `sluice dlq list`) or --all');
  const ctx = await openCliContext();
  try {
    const letters = await readLetters(ctx, Number.MAX_SAFE_INTEGER);
    const wanted = opts.all ? letters : letters.filter((l) => ids.includes(String(l.id)));
    const missing = ids.filter((id) => !letters.some((l) => String(l.id) === id));
    let failed = missing.length;
    for (const id of missing) console.error(`no dead letter ${id}`);
    for (const { id, letter } of wanted) {
      if (letter.payloadTruncated) {
        console.error(`dead letter ${id}: the payload was cut when it was parked; it cannot be replayed`);
        failed += 1;
        continue;
      }
      // No Msg-Id: the original one may still be inside the duplicate window.
      await ctx.publisher.js.publish(letter.subject, Buffer.from(letter.payloadBase64, 'base64'));
      await ctx.jsm.streams.deleteMessage(STREAMS.dlq, id);
      console.log(`replayed dead letter ${id} to ${letter.subject}${letter.key ? ` (${letter.key})` : ''}`);
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await ctx.close();
  }
}

export async function dlqPurgeCommand(): Promise<number> {
  const ctx = await openCliContext();
  try {
    const { purged } = await ctx.jsm.streams.purge(STREAMS.dlq);
    console.log(`purged ${purged} dead letter(s)`);
    return 0;
  } finally {
    await ctx.close();
  }
}
