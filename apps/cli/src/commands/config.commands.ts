import { z } from 'zod';
import { AppError } from '@pbx-sms/core';
import { migrate } from '@pbx-sms/db';
import {
  apiKeyInput,
  describeZodError,
  extensionInput,
  extensionName,
  smsNumberInput,
  smsSettingsInput,
  tenantIdParam,
  tenantInput,
} from '@pbx-sms/operations';
import { parseBool, parseNullable } from '../args';
import type { Command } from '../command';

/** Parses with a shared admin schema; a failure names the field, as the admin API's 400 does. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('invalid_request', describeZodError(r.error, what));
  return r.data;
}

export const tenantId = (v: string) => parse(tenantIdParam, v, 'tenantId');

// Reads need Postgres only. So do writes: their config-change announcement on Redis is best
// effort (AdminService), and workers expire cached config on their own.
const PG = ['postgres'] as const;

export const migrateCommand: Command = {
  options: [],
  actions: {
    '': {
      args: '',
      help: 'apply database migrations (idempotent)',
      needs: PG,
      run: async (ctx) => {
        const r = await migrate(ctx.config.DATABASE_URL);
        ctx.print(r.applied.length ? `applied ${r.applied.join(', ')}` : `database is up to date (${r.alreadyApplied.length} migrations)`);
      },
    },
  },
};

export const tenantCommand: Command = {
  options: ['name', 'time-zone'],
  actions: {
    list: { args: '', help: 'every tenant', needs: PG, run: async (ctx) => ctx.print(await ctx.admin.listTenants()) },
    get: {
      args: '<tenantId>',
      help: 'a tenant with its settings, numbers and extensions',
      needs: PG,
      run: async (ctx, { positionals: [id] }) => ctx.print(await ctx.admin.getTenant(tenantId(id!))),
    },
    put: {
      args: '<tenantId> --name NAME [--time-zone ZONE]',
      help: 'create or replace a tenant',
      needs: PG,
      run: async (ctx, { positionals: [id], values }) =>
        ctx.print(await ctx.admin.putTenant(tenantId(id!), parse(tenantInput, { name: values.name, timeZone: values['time-zone'] }, ''))),
    },
  },
};

export const numberCommand: Command = {
  options: ['sms-enabled'],
  actions: {
    list: {
      args: '<tenantId>',
      help: "the tenant's numbers",
      needs: PG,
      run: async (ctx, { positionals: [id] }) => ctx.print(await ctx.admin.listNumbers(tenantId(id!))),
    },
    put: {
      args: '<tenantId> <e164> [--sms-enabled yes|no]',
      help: 'add or update a number (SMS-enabled unless told otherwise)',
      needs: PG,
      run: async (ctx, { positionals: [id, e164], values }) =>
        ctx.print(
          await ctx.admin.putNumber(tenantId(id!), e164!, parse(smsNumberInput, { smsEnabled: parseBool('sms-enabled', values['sms-enabled'] ?? 'yes') }, '')),
        ),
    },
    delete: {
      args: '<tenantId> <e164>',
      help: 'remove a number',
      needs: PG,
      run: async (ctx, { positionals: [id, e164] }) => ctx.print(await ctx.admin.deleteNumber(tenantId(id!), e164!)),
    },
  },
};

export const settingsCommand: Command = {
  options: ['active', 'sender', 'voicemail', 'api', 'template'],
  actions: {
    get: {
      args: '<tenantId>',
      help: "the tenant's SMS settings",
      needs: PG,
      run: async (ctx, { positionals: [id] }) => ctx.print(await ctx.admin.getSettings(tenantId(id!))),
    },
    put: {
      args: '<tenantId> --active yes|no --sender +E164|none --voicemail yes|no --api yes|no [--template TEXT]',
      help: "replace the tenant's SMS settings",
      needs: PG,
      run: async (ctx, { positionals: [id], values }) => {
        const input = parse(
          smsSettingsInput,
          {
            active: parseBool('active', values.active),
            senderNumber: parseNullable(values.sender),
            voicemailEnabled: parseBool('voicemail', values.voicemail),
            apiEnabled: parseBool('api', values.api),
            voicemailTemplate: parseNullable(values.template),
          },
          '',
        );
        ctx.print(await ctx.admin.putSettings(tenantId(id!), input));
      },
    },
  },
};

export const extensionCommand: Command = {
  options: ['sms-notifications', 'sms-number'],
  actions: {
    list: {
      args: '<tenantId>',
      help: "the tenant's extensions",
      needs: PG,
      run: async (ctx, { positionals: [id] }) => ctx.print(await ctx.admin.listExtensions(tenantId(id!))),
    },
    put: {
      args: '<tenantId> <extension> --sms-notifications yes|no --sms-number +E164|none',
      help: "create or replace an extension's SMS configuration",
      needs: PG,
      run: async (ctx, { positionals: [id, ext], values }) => {
        const input = parse(
          extensionInput,
          { smsNotifications: parseBool('sms-notifications', values['sms-notifications']), smsNumber: parseNullable(values['sms-number']) },
          '',
        );
        ctx.print(await ctx.admin.putExtension(tenantId(id!), parse(extensionName, ext, 'extension'), input));
      },
    },
    delete: {
      args: '<tenantId> <extension>',
      help: 'remove an extension',
      needs: PG,
      run: async (ctx, { positionals: [id, ext] }) => ctx.print(await ctx.admin.deleteExtension(tenantId(id!), parse(extensionName, ext, 'extension'))),
    },
  },
};

export const apiKeyCommand: Command = {
  options: ['permissions', 'name'],
  actions: {
    list: {
      args: '<tenantId>',
      help: "the tenant's API keys (never the keys themselves)",
      needs: PG,
      run: async (ctx, { positionals: [id] }) => ctx.print(await ctx.admin.listApiKeys(tenantId(id!))),
    },
    create: {
      args: '<tenantId> [--permissions sms:send,events:publish] [--name NAME]',
      help: 'create a key; it is printed only this once',
      needs: PG,
      run: async (ctx, { positionals: [id], values }) => {
        const permissions = values.permissions
          ?.split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        ctx.print(await ctx.admin.createApiKey(tenantId(id!), parse(apiKeyInput, { permissions, name: values.name }, '')));
      },
    },
    revoke: {
      args: '<tenantId> <keyId>',
      help: 'revoke a key',
      needs: PG,
      run: async (ctx, { positionals: [id, keyId] }) => ctx.print(await ctx.admin.revokeApiKey(tenantId(id!), keyId!)),
    },
  },
};
