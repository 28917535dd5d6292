import { ADMIN_TOKEN } from './api-harness';
import { sleep } from './wait';

/** A REST client of a running API (a child process) that never waits without a bound. */

/** A new API key for the tenant through the admin API. */
export async function createApiKey(apiUrl: string, tenantId: number, permissions = ['sms:send', 'events:publish']): Promise<string> {
  const res = await fetch(`${apiUrl}/api/admin/tenants/${tenantId}/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ permissions }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

export interface RestAnswer {
  /** HTTP status; 0 when the client timeout passed first (a hang) or the connection failed. */
  status: number;
  id?: string;
  retryAfter?: string | null;
  error?: string;
  ms: number;
}

/** `POST /api/sms/send`, bounded by a client timeout. */
export async function restSend(apiUrl: string, apiKey: string, to: string, message: string, timeoutMs = 10_000): Promise<RestAnswer> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${apiUrl}/api/sms/send`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ to, message }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let id: string | undefined;
    try {
      id = (JSON.parse(text) as { id?: string }).id;
    } catch {
      // Not JSON: kept in error below.
    }
    return {
      status: res.status,
      ...(id ? { id } : {}),
      retryAfter: res.headers.get('retry-after'),
      ...(res.status >= 300 ? { error: text.slice(0, 200) } : {}),
      ms: Date.now() - t0,
    };
  } catch (err) {
    return { status: 0, error: String((err as Error)?.name ?? err), ms: Date.now() - t0 };
  }
}

export interface RestLoadResult {
  /** Message ids answered 202, with the body each was sent with. */
  accepted: Map<string, string>;
  /** Every answer other than 202, by status (0: timeout or connection error). */
  refused: Map<number, number>;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** Bodies never accepted after `maxTries`. */
  gaveUp: number;
  maxMs: number;
}

/**
 * Sends `count` messages with unique bodies at the given concurrency. A 503 or 429 is retried
 * as a client would (after a short pause, at most `maxTries` times): those answers promise
 * that nothing was accepted, so the retry cannot double-send. Anything else but 202 is kept.
 */
export async function restLoad(opts: {
  apiUrl: string;
  apiKey: string;
  to: string;
  count: number;
  concurrency: number;
  body: (i: number) => string;
  timeoutMs?: number;
  maxTries?: number;
  retryPauseMs?: number;
  /** Pause after each accepted request, per lane (paces the load). */
  pauseMs?: number;
  /** Called after each 202 (progress). */
  onAccepted?: (n: number) => void;
}): Promise<RestLoadResult> {
  const result: RestLoadResult = { accepted: new Map(), refused: new Map(), unavailableWithoutRetryAfter: 0, gaveUp: 0, maxMs: 0 };
  let next = 0;
  const one = async (i: number) => {
    const body = opts.body(i);
    for (let attempt = 1; attempt <= (opts.maxTries ?? 100); attempt++) {
      const a = await restSend(opts.apiUrl, opts.apiKey, opts.to, body, opts.timeoutMs ?? 10_000);
      result.maxMs = Math.max(result.maxMs, a.ms);
      if (a.status === 202 && a.id) {
        result.accepted.set(a.id, body);
        opts.onAccepted?.(result.accepted.size);
        if (opts.pauseMs) await sleep(opts.pauseMs);
        return;
      }
      result.refused.set(a.status, (result.refused.get(a.status) ?? 0) + 1);
      if (a.status === 503 && !a.retryAfter) result.unavailableWithoutRetryAfter++;
      if (a.status !== 503 && a.status !== 429) {
        // Not a documented "try again": stop, the test reports it.
        result.gaveUp++;
        return;
      }
      await sleep(opts.retryPauseMs ?? 200);
    }
    result.gaveUp++;
  };
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.count) await one(next++);
    }),
  );
  return result;
}
