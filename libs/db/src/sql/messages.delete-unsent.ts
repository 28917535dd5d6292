import type { SqlRunner } from './sql-runner';

/** Undoes accepts whose enqueue failed (only rows nothing has happened to); answers the ids deleted. */
export async function deleteUnsentMessages(db: SqlRunner, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: 'delete_unsent_messages',
    text: `DELETE FROM messages WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempts = 0 RETURNING id`,
    values: [ids],
  });
  return new Set(rows.map((r) => r.id));
}
