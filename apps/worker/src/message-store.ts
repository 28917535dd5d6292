import type { AttemptFinish, ClaimedMessage, MessageRepository, NewVoicemailMessage, StoredMessageRef } from '@pbx-sms/db/pg';
import { Batcher, ItemFailure, type BatcherOptions } from '@pbx-sms/concurrency';

/** The Message writes the job handlers make. */
export interface MessageStore {
  insertVoicemailMessage(m: NewVoicemailMessage): Promise<StoredMessageRef>;
  /** `tenantId`: the payload's, when it had a parseable one. */
  insertRejectedEvent(reason: string, excerpt: string, tenantId: number | null): Promise<void>;
  claimForSend(messageId: string): Promise<ClaimedMessage | null>;
  finishAttempt(f: AttemptFinish): Promise<void>;
}

type Write = { insert: NewVoicemailMessage } | { finish: AttemptFinish };

/** A shared statement stops holding the next one back after this long (docs/performance.md "Batchers"). */
const WRITE_SLOT_MS = 25;

/**
 * New voicemail Messages and attempt outcomes of concurrent jobs in one statement
 * (`writeBatch`): at the worker's concurrency each kind alone makes batches of ~4, and a
 * statement costs Postgres far more than its rows (docs/performance.md "Floor"). If the shared
 * statement fails, each part is tried alone, so that one part's error (an insert for a tenant
 * deleted meanwhile) cannot fail the other's callers: a `sent` outcome that cannot be written
 * ends, after its retries, in a second send.
 */
async function writeAll(repo: MessageRepository, list: Write[]): Promise<(StoredMessageRef | undefined | ItemFailure)[]> {
  const inserts = list.flatMap((w) => ('insert' in w ? [w.insert] : []));
  const finishes = list.flatMap((w) => ('finish' in w ? [w.finish] : []));
  let inserted: (StoredMessageRef | ItemFailure)[];
  let finished: ItemFailure | undefined;
  try {
    inserted = (await repo.writeBatch(inserts, finishes)).inserted;
  } catch (err) {
    if (inserts.length === 0 || finishes.length === 0) throw err;
    const [ins, fin] = await Promise.allSettled([repo.writeBatch(inserts, []), repo.writeBatch([], finishes)]);
    inserted = ins.status === 'fulfilled' ? ins.value.inserted : inserts.map(() => new ItemFailure(ins.reason));
    finished = fin.status === 'fulfilled' ? undefined : new ItemFailure(fin.reason);
  }
  let i = 0;
  return list.map((w) => ('insert' in w ? inserted[i++] : finished));
}

/**
 * The repository with concurrent jobs' writes batched: voicemail inserts and attempt outcomes
 * share one statement per batch, claims have their own. Every job still waits for its own
 * write to commit before it moves on.
 */
export class BatchedMessageStore implements MessageStore {
  private readonly writes: Batcher<Write, StoredMessageRef | undefined>;
  private readonly claims: Batcher<string, ClaimedMessage | null>;

  constructor(
    private readonly repo: MessageRepository,
    opts: BatcherOptions = {},
  ) {
    // One shared statement out at a time (group commit: what arrives meanwhile goes in the
    // next), freed after WRITE_SLOT_MS so a stuck one (a lock wait) holds the rest no longer.
    this.writes = new Batcher((list) => writeAll(repo, list), { name: 'message-writes', maxInFlight: 1, slotTimeoutMs: WRITE_SLOT_MS, ...opts });
    this.claims = new Batcher(
      async (ids) => {
        // A Message claimed twice in one batch (two jobs for one id) goes to the first caller only.
        const claimed = await repo.claimManyForSend([...new Set(ids)]);
        const given = new Set<string>();
        return ids.map((id) => {
          if (given.has(id)) return null;
          given.add(id);
          return claimed.get(id) ?? null;
        });
      },
      { name: 'message-claims', ...opts },
    );
  }

  async insertVoicemailMessage(m: NewVoicemailMessage): Promise<StoredMessageRef> {
    return (await this.writes.submit({ insert: m }))!;
  }

  insertRejectedEvent(reason: string, excerpt: string, tenantId: number | null): Promise<void> {
    return this.repo.insertRejectedEvent(reason, excerpt, tenantId);
  }

  claimForSend(messageId: string): Promise<ClaimedMessage | null> {
    return this.claims.submit(messageId);
  }

  async finishAttempt(f: AttemptFinish): Promise<void> {
    await this.writes.submit({ finish: f });
  }
}
