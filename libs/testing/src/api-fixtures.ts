import type { LightMyRequestResponse } from 'fastify';
import { admin, type TestApi } from './api-harness';
import { DEST, INVALID_NUMBER, SENDER } from './test-numbers';

export type SenderState = 'none' | 'disabled' | 'invalid' | 'valid';
export type ExtensionState = 'missing' | 'off' | 'no_number' | 'valid';

export interface TenantSetup {
  active?: boolean;
  apiEnabled?: boolean;
  voicemailEnabled?: boolean;
  sender?: SenderState;
  voicemailTemplate?: string | null;
  /** Extension 1001 in this state (default valid, number DEST). */
  extension?: ExtensionState;
  /** Permissions of the key created for the tenant. */
  permissions?: string[];
}

export const DOCUMENTED = {
  api_disabled: '{"error":"SMS API is disabled"}',
  tenant_inactive: '{"error":"Action sms_message returned with error: ERR: SMS not enabled for this tenant: "}',
  sender_invalid: '{"error":"Invalid or missing sender SMS number"}',
  destination_missing: '{"error":"Destination does not have an assigned SMS number"}',
} as const;

async function call(t: TestApi, method: 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  const res = await t.app.inject({ method, url, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res;
}

/** Creates (or replaces) a tenant through the admin API and answers a fresh API key for it. */
export async function setupTenant(t: TestApi, tenantId: number, s: TenantSetup = {}): Promise<string> {
  const sender = s.sender ?? 'valid';
  await call(t, 'PUT', `/api/admin/tenants/${tenantId}`, { name: `Tenant ${tenantId}` });
  await call(t, 'PUT', `/api/admin/tenants/${tenantId}/sms-numbers/${encodeURIComponent(SENDER)}`, { smsEnabled: true });
  await call(t, 'PUT', `/api/admin/tenants/${tenantId}/sms-settings`, {
    active: s.active ?? true,
    senderNumber: sender === 'none' || sender === 'invalid' ? null : SENDER,
    voicemailEnabled: s.voicemailEnabled ?? true,
    apiEnabled: s.apiEnabled ?? true,
    voicemailTemplate: s.voicemailTemplate ?? null,
  });
  if (sender === 'disabled') await call(t, 'PUT', `/api/admin/tenants/${tenantId}/sms-numbers/${encodeURIComponent(SENDER)}`, { smsEnabled: false });
  if (sender === 'invalid') {
    // The admin API refuses such a number; a number stored before validation tightened can still exist.
    await t.db.prisma.$executeRawUnsafe(
      `INSERT INTO sms_numbers (tenant_id, e164, sms_enabled, updated_at) VALUES ($1, $2, true, now()) ON CONFLICT (tenant_id, e164) DO NOTHING`,
      tenantId,
      INVALID_NUMBER,
    );
    await t.db.prisma.$executeRawUnsafe(
      `UPDATE sms_settings SET sender_number_id = (SELECT id FROM sms_numbers WHERE tenant_id = $1 AND e164 = $2) WHERE tenant_id = $1`,
      tenantId,
      INVALID_NUMBER,
    );
  }
  const ext = s.extension ?? 'valid';
  if (ext !== 'missing') {
    await call(t, 'PUT', `/api/admin/tenants/${tenantId}/extensions/1001`, {
      smsNotifications: ext !== 'off',
      smsNumber: ext === 'no_number' ? null : DEST,
    });
  }
  const key = await call(t, 'POST', `/api/admin/tenants/${tenantId}/api-keys`, { permissions: s.permissions ?? ['sms:send'] });
  // (The direct SQL above bypasses the admin API's cache invalidation: nothing is cached yet for
  // a tenant no public request has touched.)
  return key.json<{ key: string }>().key;
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function actionUrl(params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `/?${q}`;
}

/** Checks a 202: body shape, the Message row, and its send job in Redis. Answers the id. */
export async function expectAccepted(
  t: TestApi,
  res: LightMyRequestResponse | { statusCode: number; body: string },
  expected: Record<string, unknown> = {},
): Promise<string> {
  if (res.statusCode !== 202) throw new Error(`expected 202, got ${res.statusCode}: ${res.body}`);
  const body = JSON.parse(res.body) as { id: string; status: string };
  expect(Object.keys(body)).toEqual(['id', 'status']);
  expect(body.status).toBe('queued');
  expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const rows = await t.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
    'SELECT tenant_id, kind::text, source::text, from_number, to_number, body, status::text, segments, encoding, extension FROM messages WHERE id = $1::uuid',
    body.id,
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'queued', ...expected });
  const job = await t.deps.producer.sendQueue.getJob(body.id);
  expect(job).toBeDefined();
  expect(job!.data).toEqual({ messageId: body.id, tenantId: rows[0]!.tenant_id });
  return body.id;
}

export async function countMessages(t: TestApi, tenantId?: number): Promise<number> {
  const rows = await t.db.prisma.$queryRawUnsafe<{ n: number }[]>(
    tenantId === undefined ? 'SELECT count(*)::int AS n FROM messages' : 'SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1',
    ...(tenantId === undefined ? [] : [tenantId]),
  );
  return rows[0]!.n;
}

export async function countJobs(t: TestApi): Promise<number> {
  return t.deps.producer.sendQueue.getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
}
