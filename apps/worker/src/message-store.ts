import type { AttemptFinish, ClaimedMessage, MessageRepository, NewVoicemailMessage, StoredMessageRef } from '@pbx-sms/db/pg';
import { Batcher, type BatcherOptions } from '@pbx-sms/core';

/** The Message writes the job handlers make. */
export interface MessageStore {
  insertVoicemailMessage(m: NewVoicemailMessage): Promise<StoredMessageRef>;
  insertRejectedEvent(reason: string, excerpt: string): Promise<void>;
  claimForSend(messageId: string): Promise<ClaimedMessage | null>;
  finishAttempt(f: AttemptFinish): Promise<void>;
}

/**
 * The repository with concurrent jobs' writes batched: claims, attempt outcomes and voicemail
 * inserts each go out as one set-based statement per batch. Every job still waits for its own
 * write to commit before it moves on.
 */
export class BatchedMessageStore implements MessageStore {
  private readonly inserts: Batcher<NewVoicemailMessage, StoredMessageRef>;
  private readonly claims: Batcher<string, ClaimedMessage | null>;
  private readonly finishes: Batcher<AttemptFinish, void>;

  constructor(
    private readonly repo: MessageRepository,
    opts: BatcherOptions = {},
  ) {
    this.inserts = new Batcher((list) => repo.insertVoicemailMessages(list), opts);
    this.claims = new Batcher(async (ids) => {
      // A Message claimed twice in one batch (two jobs for one id) goes to the first caller only.
      const claimed = await repo.claimManyForSend([...new Set(ids)]);
      const given = new Set<string>();
      return ids.map((id) => {
        if (given.has(id)) return null;
        given.add(id);
        return claimed.get(id) ?? null;
      });
    }, opts);
    this.finishes = new Batcher<AttemptFinish, void>(async (list) => {
      await repo.finishAttempts(list);
      return list.map(() => undefined);
    }, opts);
  }

  insertVoicemailMessage(m: NewVoicemailMessage): Promise<StoredMessageRef> {
    return this.inserts.submit(m);
  }

  insertRejectedEvent(reason: string, excerpt: string): Promise<void> {
    return this.repo.insertRejectedEvent(reason, excerpt);
  }

  claimForSend(messageId: string): Promise<ClaimedMessage | null> {
    return this.claims.submit(messageId);
  }

  finishAttempt(f: AttemptFinish): Promise<void> {
    return this.finishes.submit(f);
  }
}
