import type { Command } from '../command';
import type { CliContext } from '../context';

export const DEMO = { tenantId: 59, sender: '+14165550100', extension: '1001', extensionNumber: '+14165551234' } as const;

/**
 * The demo tenant of the spec's example, created idempotently: tenant 59 with an active
 * SMS-enabled sender, voicemail and API enabled, extension 1001 → +14165551234, and a new
 * API key (sms:send and events:publish) printed each run.
 */
async function seedDemo(ctx: CliContext): Promise<void> {
  const admin = ctx.admin;
  await admin.putTenant(DEMO.tenantId, { name: 'Demo tenant', timeZone: 'America/Toronto' });
  await admin.putNumber(DEMO.tenantId, DEMO.sender, { smsEnabled: true });
  await admin.putSettings(DEMO.tenantId, { active: true, senderNumber: DEMO.sender, voicemailEnabled: true, apiEnabled: true, voicemailTemplate: null });
  await admin.putExtension(DEMO.tenantId, DEMO.extension, { smsNotifications: true, smsNumber: DEMO.extensionNumber });
  const key = await admin.createApiKey(DEMO.tenantId, { permissions: ['sms:send', 'events:publish'], name: 'demo' });
  ctx.print(`demo tenant ${DEMO.tenantId}: sender ${DEMO.sender}, extension ${DEMO.extension} -> ${DEMO.extensionNumber}`);
  ctx.print(`API key (shown once): ${key.key}`);
}

export const seedDemoCommand: Command = {
  options: [],
  actions: { '': { args: '', help: 'create demo tenant 59 and print a new API key', needs: ['postgres'], run: seedDemo } },
};
