// `sluice dlq list | replay <id…|--all> | purge`: the dead-letter stream, for operators. What replay may publish is
// decided in dlq-replay-policy.ts.
import { STREAMS } from '@sluice/contracts';
import { openCliContext } from '../cli-context';
import { readDeadLetters } from '../dead-letters';
import { decideReplay } from '../dlq-replay-policy';

export async function dlqListCommand(opts: { json?: boolean; limit?: number }): Promise<number> {
  const ctx = await openCliContext();
  try {
    const { letters } = await readDeadLetters(ctx.jsm, opts.limit ?? 1_000);
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

/**
 * Publishes each letter's payload to its original subject again, then removes the letter — for run and cancel
 * requests only (see dlq-replay-policy.ts). A refused letter stays in the DLQ, and the command exits 1.
 */
export async function dlqReplayCommand(ids: string[], opts: { all?: boolean }): Promise<number> {
  if (!opts.all && ids.length === 0) throw new Error('give dead-letter ids (see `sluice dlq list`) or --all');
  const ctx = await openCliContext();
  try {
    const { letters, unreadable } = await readDeadLetters(ctx.jsm);
    const wanted = opts.all ? letters : letters.filter((l) => ids.includes(String(l.id)));
    const missing = opts.all ? [] : ids.filter((id) => !letters.some((l) => String(l.id) === id));
    let failed = missing.length;
    for (const id of missing) {
      const known = unreadable.includes(Number(id));
      console.error(known ? `dead letter ${id}: not a dead letter sluice wrote (unreadable); refused, left in the DLQ` : `no dead letter ${id}`);
    }
    for (const { id, parkedOn, letter } of wanted) {
      const decision = decideReplay(letter, parkedOn);
      if (!decision.replay) {
        failed += 1;
        const what = decision.suspicious ? 'refused (suspicious)' : 'not replayed';
        console.error(`dead letter ${id} (${letter.subject}${letter.key ? `, ${letter.key}` : ''}): ${what}: ${decision.reason}; left in the DLQ`);
        if (decision.hint) console.error(`  ${decision.hint}`);
        continue;
      }
      // No Msg-Id: the original one may still be inside the duplicate window.
      await ctx.publisher.js.publish(decision.subject, decision.payload);
      await ctx.jsm.streams.deleteMessage(STREAMS.dlq, id);
      console.log(`replayed dead letter ${id} to ${decision.subject}${letter.runId ? ` (run ${letter.runId})` : ''}`);
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
