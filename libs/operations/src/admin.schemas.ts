import { z } from 'zod';
import { isValidE164, PERMISSIONS, templateTooLongReason, unknownPlaceholders } from '@pbx-sms/core';

/**
 * Admin inputs: one zod schema each, used by the admin API (validation and OpenAPI) and the
 * CLI. PUT is an upsert of the whole resource: required fields required, optional ones reset
 * to their defaults when left out.
 */

const e164 = z.string().refine(isValidE164, 'must be a valid +E.164 number, e.g. +14165551234');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const tenantIdParam = z.coerce.number().int().positive().max(2_147_483_647);
export const extensionName = z.string().regex(/^[A-Za-z0-9*#+_.-]{1,32}$/, 'must be 1 to 32 characters of A-Z a-z 0-9 * # + _ . -');

export const tenantInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. America/Toronto').default('UTC'),
});

export const smsNumberInput = z.strictObject({
  smsEnabled: z.boolean(),
});

export const smsSettingsInput = z.strictObject({
  active: z.boolean(),
  senderNumber: e164.nullable(),
  voicemailEnabled: z.boolean(),
  apiEnabled: z.boolean(),
  voicemailTemplate: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .refine((t) => unknownPlaceholders(t).length === 0, {
      error: (issue) =>
        `unknown placeholder ${unknownPlaceholders(String(issue.input))
          .map((p) => `{{${p}}}`)
          .join(', ')}; known: extension, callerId, callerName, caller, duration, time, date`,
    })
    .refine((t) => templateTooLongReason(t) === null, { error: (issue) => templateTooLongReason(String(issue.input)) ?? '' })
    .nullable()
    .default(null),
});

export const extensionInput = z.strictObject({
  smsNotifications: z.boolean(),
  smsNumber: e164.nullable(),
});

export const apiKeyInput = z.strictObject({
  permissions: z.array(z.enum(PERMISSIONS)).min(1).default(['sms:send']),
  name: z.string().trim().min(1).max(100).optional(),
});

export type TenantInput = z.infer<typeof tenantInput>;
export type SmsNumberInput = z.infer<typeof smsNumberInput>;
export type SmsSettingsInput = z.infer<typeof smsSettingsInput>;
export type ExtensionInput = z.infer<typeof extensionInput>;
export type ApiKeyInput = z.infer<typeof apiKeyInput>;

/** One readable line naming the field, for 400 answers and the CLI. */
export function describeZodError(err: z.ZodError, prefix = ''): string {
  return err.issues
    .map((i) => {
      const field = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
      return field ? `${field}: ${i.message}` : i.message;
    })
    .join('; ');
}
