import { Params, names, selected, unnestRows, valuesRow, type Column } from './columns';
import type { SqlRunner } from './sql-runner';

/**
 * The INSERT that accepts a message in the API, status `queued`. Prisma's `@updatedAt` is set
 * by the Prisma client, so the statement sets `updated_at` itself.
 */

export interface AcceptedMessage {
  /** Chosen by the caller (a v4 UUID), so it can be promised before the row exists (idempotency). */
  id: string;
  tenantId: number;
  kind: 'api' | 'voicemail';
  /** `action` for the PBXware action API, `rest` for the REST endpoints. */
  source: 'action' | 'rest';
  from: string;
  to: string;
  body: string;
  segments: number;
  encoding: string;
  /** The extension, for voicemail notifications. */
  extension: string | null;
}

const COLUMNS: readonly Column<AcceptedMessage>[] = [
  { name: 'id', type: 'uuid', value: (m) => m.id },
  { name: 'tenant_id', type: 'int', value: (m) => m.tenantId },
  { name: 'kind', type: 'text', storedAs: 'message_kind', value: (m) => m.kind },
  { name: 'source', type: 'text', storedAs: 'message_source', value: (m) => m.source },
  { name: 'from_number', type: 'text', value: (m) => m.from },
  { name: 'to_number', type: 'text', value: (m) => m.to },
  { name: 'body', type: 'text', value: (m) => m.body },
  { name: 'segments', type: 'int', value: (m) => m.segments },
  { name: 'encoding', type: 'text', value: (m) => m.encoding },
  { name: 'extension', type: 'text', value: (m) => m.extension },
];

/** The statement over a row source (one VALUES row, or unnest of many). */
function acceptStatement(source: string): string {
  return `INSERT INTO messages (${names(COLUMNS)}, status, created_at, updated_at)
           SELECT ${selected('u', COLUMNS)}, 'queued', now(), now() FROM ${source}`;
}

/** Writes the Message row in status `queued`. */
export async function insertAcceptedMessage(db: SqlRunner, m: AcceptedMessage): Promise<void> {
  const params = new Params();
  await db.query({ name: 'accept_message', text: acceptStatement(valuesRow(params, 'u', COLUMNS, m)), values: params.values });
}

/**
 * Writes several accepted messages in one statement (one round trip, one commit): the API
 * batches the requests that arrive in the same event-loop turn.
 */
export async function insertAcceptedMessages(db: SqlRunner, ms: readonly AcceptedMessage[]): Promise<void> {
  if (ms.length === 1) return insertAcceptedMessage(db, ms[0]!);
  const params = new Params();
  await db.query({ name: 'accept_messages', text: acceptStatement(unnestRows(params, 'u', COLUMNS, ms)), values: params.values });
}
