import type { SqlRunner } from './sql-runner';

/**
 * Retention (the worker's housekeeping): each statement touches at most `batchSize` rows and
 * commits on its own, so a big table is never locked for long; rows another replica is
 * working on are skipped (SKIP LOCKED), so any number of replicas may run it at once.
 */

const DAY = "interval '1 day'";

/** Deletes up to `batchSize` rejected events received more than `days` ago; answers how many. */
export async function deleteOldRejectedEvents(db: SqlRunner, days: number, batchSize: number): Promise<number> {
  const r = await db.query({
    text: `DELETE FROM rejected_events WHERE id IN (
             SELECT id FROM rejected_events WHERE received_at < now() - $1::int * ${DAY}
             ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    values: [days, batchSize],
  });
  return r.rowCount ?? 0;
}

/**
 * Erases the body ('') and the numbers (NULL) of up to `batchSize` terminal messages (sent,
 * failed, skipped) whose last change is more than `days` old; status, codes, counts and times
 * stay. Served by the partial index messages_retention_pending_idx, which only holds rows not
 * yet erased. updated_at is left as it was: it is when the message reached its outcome.
 */
export async function eraseOldMessages(db: SqlRunner, days: number, batchSize: number): Promise<number> {
  const r = await db.query({
    text: `UPDATE messages SET body = '', to_number = NULL, from_number = NULL WHERE id IN (
             SELECT id FROM messages
             WHERE body <> '' AND status IN ('sent', 'failed', 'skipped') AND updated_at < now() - $1::int * ${DAY}
             ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    values: [days, batchSize],
  });
  return r.rowCount ?? 0;
}
