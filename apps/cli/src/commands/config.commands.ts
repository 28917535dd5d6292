import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '@pbx-sms/core';
import {
  apiKeyInput,
  describeZodError,
  extensionInput,
  extensionName,
  migrate,
  smsNumberInput,
  smsSettingsInput,
  tenantIdParam,
  tenantInput,
} from '@pbx-sms/db';
import { parseBool, parseNullable, requirePositional } from '../args';
import type { CliContext } from '../context';

/** Parses with a shared admin schema; a failure names the field, as the admin API's 400 does. */
function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('invalid_request', describeZodError(r.error, what));
  return r.data;
}

const tenantId = (v: string) => parse(tenantIdParam, v, 'tenantId');

export async function migrateCommand(ctx: CliContext): Promise<void> {
  const r = await migrate(ctx.config.DATABASE_URL);
  ctx.print(r.applied.length ? `applied ${r.applied.join(', ')}` : `database is up to date (${r.alreadyApplied.length} migrations)`);
}

export async function tenantCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' }, 'time-zone': { type: 'string' } } });
  const [sub] = positionals;
  if (sub === 'list') return ctx.print(await ctx.admin.listTenants());
  const id = tenantId(requirePositional(positionals, 1, 'tenantId'));
  if (sub === 'get') return ctx.print(await ctx.admin.getTenant(id));
  if (sub === 'put') return ctx.print(await ctx.admin.putTenant(id, parse(tenantInput, { name: values.name, timeZone: values['time-zone'] }, '')));
  throw new AppError('invalid_request', 'usage: tenant list | tenant get <tenantId> | tenant put <tenantId> --name NAME [--time-zone ZONE]');
}

export async function numberCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { 'sms-enabled': { type: 'string' } } });
  const [sub] = positionals;
  const id = tenantId(requirePositional(positionals, 1, 'tenantId'));
  if (sub === 'list') return ctx.print(await ctx.admin.listNumbers(id));
  const e164 = requirePositional(positionals, 2, 'e164');
  if (sub === 'put') return ctx.print(await ctx.admin.putNumber(id, e164, parse(smsNumberInput, { smsEnabled: parseBool('sms-enabled', values['sms-enabled'] ?? 'yes') }, '')));
  if (sub === 'delete') return ctx.print(await ctx.admin.deleteNumber(id, e164));
  throw new AppError('invalid_request', 'usage: number list <tenantId> | number put <tenantId> <+E164> [--sms-enabled yes|no] | number delete <tenantId> <+E164>');
}

export async function settingsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { active: { type: 'string' }, sender: { type: 'string' }, voicemail: { type: 'string' }, api: { type: 'string' }, template: { type: 'string' } },
  });
  const [sub] = positionals;
  const id = tenantId(requirePositional(positionals, 1, 'tenantId'));
  if (sub === 'get') return ctx.print(await ctx.admin.getSettings(id));
  if (sub === 'put') {
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
    return ctx.print(await ctx.admin.putSettings(id, input));
  }
  throw new AppError('invalid_request', 'usage: settings get <tenantId> | settings put <tenantId> --active yes|no --sender +E164|none --voicemail yes|no --api yes|no [--template TEXT]');
}

export async function extensionCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { 'sms-notifications': { type: 'string' }, 'sms-number': { type: 'string' } } });
  const [sub] = positionals;
  const id = tenantId(requirePositional(positionals, 1, 'tenantId'));
  if (sub === 'list') return ctx.print(await ctx.admin.listExtensions(id));
  const ext = parse(extensionName, requirePositional(positionals, 2, 'extension'), 'extension');
  if (sub === 'put') {
    const input = parse(extensionInput, { smsNotifications: parseBool('sms-notifications', values['sms-notifications']), smsNumber: parseNullable(values['sms-number']) }, '');
    return ctx.print(await ctx.admin.putExtension(id, ext, input));
  }
  if (sub === 'delete') return ctx.print(await ctx.admin.deleteExtension(id, ext));
  throw new AppError('invalid_request', 'usage: extension list <tenantId> | extension put <tenantId> <ext> --sms-notifications yes|no --sms-number +E164|none | extension delete <tenantId> <ext>');
}

export async function apiKeyCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { permissions: { type: 'string' }, name: { type: 'string' } } });
  const [sub] = positionals;
  const id = tenantId(requirePositional(positionals, 1, 'tenantId'));
  if (sub === 'list') return ctx.print(await ctx.admin.listApiKeys(id));
  if (sub === 'create') {
    const permissions = values.permissions?.split(',').map((p) => p.trim()).filter(Boolean);
    const input = parse(apiKeyInput, { permissions, name: values.name }, '');
    return ctx.print(await ctx.admin.createApiKey(id, input));
  }
  if (sub === 'revoke') return ctx.print(await ctx.admin.revokeApiKey(id, requirePositional(positionals, 2, 'keyId')));
  throw new AppError('invalid_request', 'usage: api-key list <tenantId> | api-key create <tenantId> [--permissions sms:send,events:publish] [--name NAME] | api-key revoke <tenantId> <keyId>');
}
