import { AppError, generateApiKey, isValidE164 } from '@pbx-sms/core';
import type { PrismaClient } from '@pbx-sms/db';
import type { ApiKeyInput, ExtensionInput, SmsNumberInput, SmsSettingsInput, TenantInput } from './admin.schemas';

/**
 * Configuration writes and reads for operators, shared by the admin API and the CLI. Every
 * write is an upsert answering the stored object; `onChange` tells workers to drop their
 * cached copy of the tenant's configuration.
 */

export interface TenantView {
  id: number;
  name: string;
  timeZone: string;
  createdAt: Date;
  updatedAt: Date;
}
export interface SmsNumberView {
  tenantId: number;
  e164: string;
  smsEnabled: boolean;
}
export interface SmsSettingsView {
  tenantId: number;
  active: boolean;
  senderNumber: string | null;
  voicemailEnabled: boolean;
  apiEnabled: boolean;
  voicemailTemplate: string | null;
}
export interface ExtensionView {
  tenantId: number;
  extension: string;
  smsNotifications: boolean;
  smsNumber: string | null;
}
export interface ApiKeyView {
  id: string;
  tenantId: number;
  prefix: string;
  name: string | null;
  permissions: string[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const apiKeySelect = { id: true, tenantId: true, prefix: true, name: true, permissions: true, createdAt: true, revokedAt: true, lastUsedAt: true } as const;

export class AdminService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly onChange: (tenantId: number) => Promise<void> = async () => undefined,
  ) {}

  private async changed(tenantId: number): Promise<void> {
    // Workers also expire cached config on their own; a lost announcement only delays the change.
    await this.onChange(tenantId).catch(() => undefined);
  }

  private async requireTenant(tenantId: number): Promise<void> {
    const found = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
    if (!found) throw new AppError('not_found', `Tenant ${tenantId} not found`);
  }

  async putTenant(id: number, input: TenantInput): Promise<TenantView> {
    const t = await this.prisma.tenant.upsert({ where: { id }, create: { id, ...input }, update: input });
    await this.changed(id);
    return t;
  }

  async getTenant(id: number): Promise<TenantView & { settings: SmsSettingsView; numbers: SmsNumberView[]; extensions: ExtensionView[] }> {
    const t = await this.prisma.tenant.findUnique({ where: { id } });
    if (!t) throw new AppError('not_found', `Tenant ${id} not found`);
    const [settings, numbers, extensions] = await Promise.all([this.getSettings(id), this.listNumbers(id), this.listExtensions(id)]);
    return { ...t, settings, numbers, extensions };
  }

  async listTenants(): Promise<TenantView[]> {
    return this.prisma.tenant.findMany({ orderBy: { id: 'asc' } });
  }

  async putNumber(tenantId: number, e164: string, input: SmsNumberInput): Promise<SmsNumberView> {
    if (!isValidE164(e164)) throw new AppError('invalid_request', 'e164: must be a valid +E.164 number, e.g. +14165551234');
    await this.requireTenant(tenantId);
    const n = await this.prisma.smsNumber.upsert({
      where: { tenantId_e164: { tenantId, e164 } },
      create: { tenantId, e164, smsEnabled: input.smsEnabled },
      update: { smsEnabled: input.smsEnabled },
    });
    await this.changed(tenantId);
    return { tenantId: n.tenantId, e164: n.e164, smsEnabled: n.smsEnabled };
  }

  async deleteNumber(tenantId: number, e164: string): Promise<SmsNumberView> {
    await this.requireTenant(tenantId);
    const n = await this.prisma.smsNumber.findUnique({ where: { tenantId_e164: { tenantId, e164 } } });
    if (!n) throw new AppError('not_found', `Number ${e164} not found for tenant ${tenantId}`);
    await this.prisma.smsNumber.delete({ where: { id: n.id } });
    await this.changed(tenantId);
    return { tenantId: n.tenantId, e164: n.e164, smsEnabled: n.smsEnabled };
  }

  async listNumbers(tenantId: number): Promise<SmsNumberView[]> {
    const rows = await this.prisma.smsNumber.findMany({ where: { tenantId }, orderBy: { e164: 'asc' } });
    return rows.map((n) => ({ tenantId: n.tenantId, e164: n.e164, smsEnabled: n.smsEnabled }));
  }

  async putSettings(tenantId: number, input: SmsSettingsInput): Promise<SmsSettingsView> {
    await this.requireTenant(tenantId);
    let senderNumberId: number | null = null;
    if (input.senderNumber !== null) {
      const n = await this.prisma.smsNumber.findUnique({ where: { tenantId_e164: { tenantId, e164: input.senderNumber } } });
      if (!n) throw new AppError('invalid_request', `senderNumber: ${input.senderNumber} is not one of tenant ${tenantId}'s numbers`);
      if (!n.smsEnabled) throw new AppError('invalid_request', `senderNumber: ${input.senderNumber} is not SMS-enabled`);
      senderNumberId = n.id;
    }
    const data = {
      active: input.active,
      senderNumberId,
      voicemailEnabled: input.voicemailEnabled,
      apiEnabled: input.apiEnabled,
      voicemailTemplate: input.voicemailTemplate ?? null,
    };
    await this.prisma.smsSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
    await this.changed(tenantId);
    return this.getSettings(tenantId);
  }

  async getSettings(tenantId: number): Promise<SmsSettingsView> {
    const s = await this.prisma.smsSettings.findUnique({ where: { tenantId }, include: { senderNumber: true } });
    return {
      tenantId,
      active: s?.active ?? false,
      senderNumber: s?.senderNumber?.e164 ?? null,
      voicemailEnabled: s?.voicemailEnabled ?? false,
      apiEnabled: s?.apiEnabled ?? false,
      voicemailTemplate: s?.voicemailTemplate ?? null,
    };
  }

  async putExtension(tenantId: number, extension: string, input: ExtensionInput): Promise<ExtensionView> {
    await this.requireTenant(tenantId);
    const e = await this.prisma.extension.upsert({
      where: { tenantId_extension: { tenantId, extension } },
      create: { tenantId, extension, ...input },
      update: input,
    });
    await this.changed(tenantId);
    return { tenantId: e.tenantId, extension: e.extension, smsNotifications: e.smsNotifications, smsNumber: e.smsNumber };
  }

  async deleteExtension(tenantId: number, extension: string): Promise<ExtensionView> {
    await this.requireTenant(tenantId);
    const e = await this.prisma.extension.findUnique({ where: { tenantId_extension: { tenantId, extension } } });
    if (!e) throw new AppError('not_found', `Extension ${extension} not found for tenant ${tenantId}`);
    await this.prisma.extension.delete({ where: { tenantId_extension: { tenantId, extension } } });
    await this.changed(tenantId);
    return { tenantId: e.tenantId, extension: e.extension, smsNotifications: e.smsNotifications, smsNumber: e.smsNumber };
  }

  async listExtensions(tenantId: number): Promise<ExtensionView[]> {
    const rows = await this.prisma.extension.findMany({ where: { tenantId }, orderBy: { extension: 'asc' } });
    return rows.map((e) => ({ tenantId: e.tenantId, extension: e.extension, smsNotifications: e.smsNotifications, smsNumber: e.smsNumber }));
  }

  /** Creates a key; the key itself is in the answer and nowhere else (only its hash is stored). */
  async createApiKey(tenantId: number, input: ApiKeyInput): Promise<ApiKeyView & { key: string }> {
    await this.requireTenant(tenantId);
    const { key, prefix, hash } = generateApiKey();
    const row = await this.prisma.apiKey.create({
      data: { tenantId, prefix, hash, permissions: [...new Set(input.permissions)], name: input.name ?? null },
      select: apiKeySelect,
    });
    return { ...row, key };
  }

  async listApiKeys(tenantId: number): Promise<ApiKeyView[]> {
    await this.requireTenant(tenantId);
    return this.prisma.apiKey.findMany({ where: { tenantId }, select: apiKeySelect, orderBy: { createdAt: 'asc' } });
  }

  async revokeApiKey(tenantId: number, id: string): Promise<ApiKeyView> {
    await this.requireTenant(tenantId);
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await this.prisma.apiKey.findFirst({ where: { id, tenantId }, select: { id: true, revokedAt: true } }) : null;
    if (!found) throw new AppError('not_found', `API key ${id} not found for tenant ${tenantId}`);
    const row = await this.prisma.apiKey.update({ where: { id }, data: { revokedAt: found.revokedAt ?? new Date() }, select: apiKeySelect });
    await this.changed(tenantId);
    return row;
  }
}
