import type { ErrorCode } from '@pbx-sms/core';

/**
 * The PBXware action API's parameters (DESIGN.md "Action API parameters"): `action`, `apikey`,
 * `server`, `to_number`, `body` come from the query string or, for POST, a form or JSON body;
 * where both carry one, the body wins. The `X-API-Key` header wins over `apikey`. Pure: the
 * HTTP layer passes what it parsed.
 */

export const SEND_MESSAGE_ACTION = 'pbxware.sms.send_message';

export interface ActionParams {
  action: typeof SEND_MESSAGE_ACTION;
  /** The presented key: the X-API-Key header, else `apikey`. */
  apiKey: string | undefined;
  server: string | undefined;
  toNumber: string | undefined;
  body: string | undefined;
}

export type ActionParamsResult = { ok: true; params: ActionParams } | { ok: false; code: ErrorCode; detail: string };

const NAMES = ['action', 'apikey', 'server', 'to_number', 'body'] as const;
type Name = (typeof NAMES)[number];

/** A record of parameters: parsed JSON objects, and query/form parsers' objects (which may have their own prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function own(record: Record<string, unknown> | undefined, name: string): unknown {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/**
 * Merges and checks the parameters, in the documented order: a request body that is not an
 * object is `invalid_request`; a missing or unknown `action` is `unknown_action`; a parameter
 * given twice or not as text is `invalid_request`. Missing `apikey`, `server`, `to_number` or
 * `body` are left to the later rules (401, 403, 400 invalid_number, 400 invalid_body).
 *
 * @param query the parsed query string (values are strings or arrays of strings)
 * @param body the parsed request body for POST (undefined when there is none)
 * @param headerKey the X-API-Key header, if any
 */
export function parseActionParams(query: unknown, body: unknown, headerKey: unknown): ActionParamsResult {
  if (body !== undefined && !isPlainObject(body)) {
    return { ok: false, code: 'invalid_request', detail: 'The request body must be a form or a JSON object of parameters' };
  }
  const q = isPlainObject(query) ? query : undefined;
  const pick = (name: Name): unknown => {
    const fromBody = own(body, name);
    return fromBody !== undefined ? fromBody : own(q, name);
  };

  const action = pick('action');
  if (action !== SEND_MESSAGE_ACTION) {
    const detail =
      action === undefined || action === ''
        ? `Missing action; the supported action is ${SEND_MESSAGE_ACTION}`
        : `Unknown action${typeof action === 'string' ? ` ${JSON.stringify(action.slice(0, 64))}` : ''}; the supported action is ${SEND_MESSAGE_ACTION}`;
    return { ok: false, code: 'unknown_action', detail };
  }

  const values: Partial<Record<Name, string>> = {};
  for (const name of NAMES) {
    const v = pick(name);
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) return { ok: false, code: 'invalid_request', detail: `${name}: given more than once` };
    if (typeof v === 'string') values[name] = v;
    else if (name === 'server' && typeof v === 'number' && Number.isInteger(v)) values[name] = String(v);
    else return { ok: false, code: 'invalid_request', detail: `${name}: must be a string` };
  }

  let apiKey = values.apikey;
  if (typeof headerKey === 'string' && headerKey !== '') apiKey = headerKey;
  else if (Array.isArray(headerKey)) return { ok: false, code: 'invalid_request', detail: 'X-API-Key: given more than once' };

  return {
    ok: true,
    params: { action: SEND_MESSAGE_ACTION, apiKey: apiKey === '' ? undefined : apiKey, server: values.server, toNumber: values.to_number, body: values.body },
  };
}

/** The tenant id a `server` parameter names, or null when it is not a plain positive integer. */
export function parseServerParam(server: string | undefined): number | null {
  if (server === undefined || !/^[0-9]{1,10}$/.test(server.trim())) return null;
  const n = Number(server.trim());
  return n > 0 && n <= 2_147_483_647 ? n : null;
}
