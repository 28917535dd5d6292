import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AdminService, apiKeyInput, extensionInput, extensionName, smsNumberInput, smsSettingsInput, tenantIdParam, tenantInput } from '@pbx-sms/operations';
import type { ApiDeps } from '../deps';
import { requireAdmin } from './admin-auth';

const tenantParams = z.object({ tenantId: tenantIdParam });
const security = [{ adminToken: [] }];

/** The operators' configuration API (DESIGN.md "Interfaces"): every write an upsert answering the stored object. */
export const adminRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; onConfigChange?: (tenantId: number) => void }> = async (app, { deps, onConfigChange }) => {
  const admin = new AdminService(deps.prisma, async (tenantId) => {
    onConfigChange?.(tenantId);
    await deps.producer.announceConfigChange(tenantId);
  });
  app.addHook('onRequest', requireAdmin(deps.config.ADMIN_TOKEN));
  const tags = ['admin'];

  app.get('/api/admin/tenants', { schema: { tags, security, summary: 'List tenants' } }, async () => admin.listTenants());

  app.put(
    '/api/admin/tenants/:tenantId',
    { schema: { tags, security, summary: 'Create or replace a tenant', params: tenantParams, body: tenantInput } },
    async (req) => admin.putTenant(req.params.tenantId, req.body),
  );

  app.get(
    '/api/admin/tenants/:tenantId',
    { schema: { tags, security, summary: 'A tenant with its SMS settings, numbers and extensions', params: tenantParams } },
    async (req) => admin.getTenant(req.params.tenantId),
  );

  app.put(
    '/api/admin/tenants/:tenantId/sms-numbers/:e164',
    {
      schema: { tags, security, summary: "Add or update one of the tenant's numbers", params: tenantParams.extend({ e164: z.string() }), body: smsNumberInput },
    },
    async (req) => admin.putNumber(req.params.tenantId, req.params.e164, req.body),
  );

  app.delete(
    '/api/admin/tenants/:tenantId/sms-numbers/:e164',
    { schema: { tags, security, summary: 'Remove a number (a sender that used it becomes missing)', params: tenantParams.extend({ e164: z.string() }) } },
    async (req) => admin.deleteNumber(req.params.tenantId, req.params.e164),
  );

  app.get('/api/admin/tenants/:tenantId/sms-numbers', { schema: { tags, security, summary: "List the tenant's numbers", params: tenantParams } }, async (req) =>
    admin.listNumbers(req.params.tenantId),
  );

  app.put(
    '/api/admin/tenants/:tenantId/sms-settings',
    { schema: { tags, security, summary: "Replace the tenant's SMS settings", params: tenantParams, body: smsSettingsInput } },
    async (req) => admin.putSettings(req.params.tenantId, req.body),
  );

  app.get(
    '/api/admin/tenants/:tenantId/sms-settings',
    { schema: { tags, security, summary: "The tenant's SMS settings", params: tenantParams } },
    async (req) => {
      await admin.getTenant(req.params.tenantId);
      return admin.getSettings(req.params.tenantId);
    },
  );

  app.put(
    '/api/admin/tenants/:tenantId/extensions/:extension',
    {
      schema: {
        tags,
        security,
        summary: "Create or replace an extension's SMS configuration",
        params: tenantParams.extend({ extension: extensionName }),
        body: extensionInput,
      },
    },
    async (req) => admin.putExtension(req.params.tenantId, req.params.extension, req.body),
  );

  app.delete(
    '/api/admin/tenants/:tenantId/extensions/:extension',
    { schema: { tags, security, summary: 'Remove an extension', params: tenantParams.extend({ extension: extensionName }) } },
    async (req) => admin.deleteExtension(req.params.tenantId, req.params.extension),
  );

  app.get('/api/admin/tenants/:tenantId/extensions', { schema: { tags, security, summary: 'List extensions', params: tenantParams } }, async (req) =>
    admin.listExtensions(req.params.tenantId),
  );

  app.post(
    '/api/admin/tenants/:tenantId/api-keys',
    {
      schema: {
        tags,
        security,
        summary: 'Create an API key (the key is shown only in this answer)',
        params: tenantParams,
        body: apiKeyInput.default({ permissions: ['sms:send'] }),
      },
    },
    async (req, reply) => {
      const created = await admin.createApiKey(req.params.tenantId, req.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/admin/tenants/:tenantId/api-keys',
    { schema: { tags, security, summary: 'List API keys (never the keys themselves)', params: tenantParams } },
    async (req) => admin.listApiKeys(req.params.tenantId),
  );

  app.delete(
    '/api/admin/tenants/:tenantId/api-keys/:id',
    { schema: { tags, security, summary: 'Revoke an API key', params: tenantParams.extend({ id: z.string() }) } },
    async (req) => admin.revokeApiKey(req.params.tenantId, req.params.id),
  );
};
