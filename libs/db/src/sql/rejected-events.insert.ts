import type { SqlRunner } from './sql-runner';

/** Records a voicemail event the worker could not use; `tenantId` is the payload's, when it had a parseable one. */
export async function insertRejectedEvent(db: SqlRunner, reason: string, excerpt: string, tenantId: number | null = null): Promise<void> {
  await db.query({ text: 'INSERT INTO rejected_events (reason, excerpt, tenant_id) VALUES ($1, $2, $3)', values: [reason, excerpt, tenantId] });
}
