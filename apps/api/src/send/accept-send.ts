import { AppError, defaultTenantConfig, evaluateRules, renderTemplate, type Decision, type ExtensionConfig, type TenantConfig } from '@pbx-sms/core';
import type { MessageToAccept } from './message-acceptance.service';

/** The request's names for the fields rule 7 checks (the action API and REST differ). */
export interface FieldNames {
  to: string;
  body: string;
}

/** A send a route asks for, after the key and its scope have passed (rules 1–3). */
export type SendRequest =
  | {
      kind: 'api';
      source: 'action' | 'rest';
      /** Normalised +E.164, or what the request gave when it cannot be. */
      to: string;
      /** Null when the request has none, or it did not decode. */
      text: string | null;
      fields: FieldNames;
      /** Which fields the request carried (the action API names a missing one); both by default. */
      present?: { to: boolean; body: boolean };
      /** A pre-chosen Message id (an Idempotency-Key promises it before the row exists). */
      id?: string;
    }
  | {
      kind: 'voicemail';
      source: 'rest';
      extension: string;
      /** Literal text; without it the tenant's voicemail template, rendered with the extension alone. */
      text: string | undefined;
      fields: FieldNames;
    };

/** The tenant and extension configuration as the rules read it (cached); null for an unknown tenant. */
export interface TenantConfigReader {
  tenant(tenantId: number): Promise<TenantConfig | null>;
  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null>;
}

/** Accepts a send for the key's tenant; answers the Message id, or throws the refusal. */
export type AcceptSend = (tenantId: number, send: SendRequest) => Promise<string>;

/**
 * The one way a send gets in, whichever route it came by: the tenant's configuration, rules
 * 4–8 (`evaluateRules`), then acceptance (the Message row and its send job).
 */
export function createAcceptSend(configs: TenantConfigReader, acceptance: { accept(m: MessageToAccept): Promise<string> }): AcceptSend {
  return async (tenantId, send) => {
    if (send.kind === 'api') {
      const tenant = (await configs.tenant(tenantId)) ?? defaultTenantConfig(tenantId);
      const decision = evaluateRules(tenant, { kind: 'api', via: 'api', to: send.to, text: send.text });
      if (!decision.allowed) throw refusal(decision, send.fields, send.present);
      return acceptance.accept({
        id: send.id,
        tenantId,
        kind: 'api',
        source: send.source,
        from: tenant.sender!.e164,
        to: send.to,
        body: send.text!,
        extension: null,
      });
    }
    const { extension } = send;
    const [known, ext] = await Promise.all([configs.tenant(tenantId), configs.extension(tenantId, extension)]);
    // An unknown tenant is refused like one with nothing enabled.
    const tenant = known ?? defaultTenantConfig(tenantId);
    const text = send.text ?? renderTemplate(tenant.voicemailTemplate, { extension, timeZone: tenant.timeZone });
    const decision = evaluateRules(tenant, { kind: 'voicemail', via: 'api', extension, text }, ext);
    if (!decision.allowed) throw refusal(decision, send.fields);
    return acceptance.accept({ tenantId, kind: 'voicemail', source: 'rest', from: tenant.sender!.e164, to: ext!.smsNumber!, body: text, extension });
  };
}

/**
 * The answer for a failed rule: documented cases answer their documented bytes (AppError's
 * body ignores the detail for them); ours name the field or, for message_too_long, the count.
 */
export function refusal(
  decision: Extract<Decision, { allowed: false }>,
  fields: FieldNames,
  present: { to: boolean; body: boolean } = { to: true, body: true },
): AppError {
  switch (decision.code) {
    case 'invalid_number':
      return new AppError('invalid_number', present.to ? `${fields.to}: must be a valid +E.164 number, e.g. +14165551234` : `${fields.to}: is missing`);
    case 'invalid_body':
      return new AppError('invalid_body', present.body ? `${fields.body}: ${decision.blockedBy.explanation}` : `${fields.body}: is missing`);
    default:
      return new AppError(decision.code, decision.blockedBy.explanation);
  }
}
