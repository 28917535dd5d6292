/**
 * The fault suite's figures: the accounting of accepted, lost and duplicated messages, and one
 * line of figures per test.
 */
import { sleep } from './wait';

export interface Figures {
  [k: string]: string | number | boolean;
}

/** One line per test, easy to grep from the run's output: `[fault-figures] name k=v k=v …`. */
export function printFigures(name: string, figures: Figures): void {
  const line = `[fault-figures] ${name} ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  process.stdout.write(`${line}\n`);
}

/** The figures every mixed-load fault test prints: the message accounting and why duplicates happened. */
export function deliveryFigures(
  acc: Pick<Accounting, 'accepted' | 'terminal' | 'lost'>,
  duplicated: number,
  causes: { interrupted: number; timedOut: number; concurrent: number; other: number },
): Figures {
  return {
    accepted: acc.accepted,
    terminal: acc.terminal,
    lost: acc.lost,
    duplicated,
    dupInterrupted: causes.interrupted,
    dupTimedOut: causes.timedOut,
    dupConcurrent: causes.concurrent,
    dupOther: causes.other,
  };
}

/** Per body, how many successful publishes the fake SNS saw beyond the first. */
export function duplicatesByBody(published: { message: string | null }[]): { duplicated: number; maxPerBody: number } {
  const counts = new Map<string, number>();
  for (const r of published) counts.set(r.message ?? '', (counts.get(r.message ?? '') ?? 0) + 1);
  let duplicated = 0;
  let maxPerBody = 0;
  for (const n of counts.values()) {
    duplicated += n - 1;
    maxPerBody = Math.max(maxPerBody, n);
  }
  return { duplicated, maxPerBody };
}

/**
 * Why each message the provider saw more than once went out again, read from its recorded
 * attempts (every message in these tests has a unique text):
 * - `interrupted`: an attempt was cut short (its worker died, or it was abandoned at shutdown)
 *   after the provider had accepted it, and a later attempt sent again: the crash case, bounded
 *   by the dead worker's provider-call slots;
 * - `timedOut`: the worker recorded a transient failure (a timeout) for a call the provider
 *   had in fact accepted, and the retry sent again;
 * - `concurrent`: two attempts both recorded `sent`: two runs of the Message at the same time
 *   (a job run again by BullMQ while its first run was still alive, or a live attempt resent
 *   by the reconciler);
 * - `other`: none of these.
 */
export async function duplicateCauses(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  published: { message: string | null }[],
): Promise<{ interrupted: number; timedOut: number; concurrent: number; other: number }> {
  const counts = new Map<string, number>();
  for (const r of published) counts.set(r.message ?? '', (counts.get(r.message ?? '') ?? 0) + 1);
  const bodies = [...counts].filter(([, n]) => n > 1).map(([b]) => b);
  const causes = { interrupted: 0, timedOut: 0, concurrent: 0, other: 0 };
  if (bodies.length === 0) return causes;
  const { rows } = await query(
    `SELECT m.body, array_agg(coalesce(a.outcome, 'open') ORDER BY a.attempt) AS outcomes
     FROM messages m JOIN message_attempts a ON a.message_id = m.id WHERE m.body = ANY($1::text[]) GROUP BY m.id, m.body`,
    [bodies],
  );
  for (const r of rows) {
    const outcomes = r.outcomes as string[];
    const extra = (counts.get(String(r.body)) ?? 1) - 1;
    const cause =
      outcomes.filter((o) => o === 'sent').length > 1
        ? 'concurrent'
        : outcomes.includes('interrupted')
          ? 'interrupted'
          : outcomes.includes('retry')
            ? 'timedOut'
            : 'other';
    causes[cause] += extra;
  }
  return causes;
}

export interface Accounting {
  accepted: number;
  terminal: number;
  /** Accepted but never terminal (or with no row at all) by the deadline. */
  lost: number;
  byStatus: Record<string, number>;
  drainMs: number;
}

/**
 * Waits (bounded) until every accepted message is terminal. `acceptedIds` are the REST 202s;
 * voicemail events count as accepted once their Message row exists (DESIGN "Delivery").
 */
export async function awaitTerminal(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  opts: { tenantId: number; restIds: string[]; started: number; timeoutMs: number; expectEvents?: number },
): Promise<Accounting> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const { rows } = await query(
      `SELECT status::text AS status, count(*)::int AS n FROM messages WHERE tenant_id = $1 AND (source = 'event' OR id = ANY($2::uuid[])) GROUP BY status`,
      [opts.tenantId, opts.restIds],
    ).catch(() => ({ rows: [] as Record<string, unknown>[] }));
    const byStatus: Record<string, number> = Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const terminal = (byStatus.sent ?? 0) + (byStatus.failed ?? 0) + (byStatus.skipped ?? 0);
    const { rows: restRows } = await query(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[])`, [opts.restIds]).catch(() => ({
      rows: [{ n: -1 }],
    }));
    const restFound = Number(restRows[0]?.n ?? 0);
    const events = total - restFound;
    const done = restFound === opts.restIds.length && terminal === total && (opts.expectEvents === undefined || events >= opts.expectEvents);
    if (done || Date.now() > deadline) {
      const accepted = opts.restIds.length + events;
      return { accepted, terminal, lost: accepted - terminal, byStatus, drainMs: Date.now() - opts.started };
    }
    await sleep(250);
  }
}
