/**
 * Voicemail notification text. Templates use `{{variable}}` placeholders; an unknown one is
 * refused when the template is saved. Parts with no value are left out cleanly.
 */
export const TEMPLATE_VARIABLES = ['extension', 'callerId', 'callerName', 'caller', 'duration', 'time', 'date'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export const DEFAULT_VOICEMAIL_TEMPLATE = 'New voicemail from {{caller}} ({{duration}}) for extension {{extension}}.';

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

export interface VoicemailFacts {
  extension: string;
  callerId?: string | undefined;
  callerName?: string | undefined;
  durationSeconds?: number | undefined;
  receivedAt?: Date | undefined;
  timeZone?: string | undefined;
}

/** Names of placeholders in the template that we do not know; empty when the template is valid. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.add(name);
  }
  return [...unknown];
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

interface Formatters {
  time: Intl.DateTimeFormat;
  date: Intl.DateTimeFormat;
}

/**
 * Building an Intl.DateTimeFormat costs far more than formatting with one, so the pair is
 * built once per time zone (an unknown zone maps to UTC's pair). Bounded: cleared when full.
 */
const FORMATTERS_MAX = 1_000;
const formatters = new Map<string, Formatters>();

function buildFormatters(tz: string): Formatters {
  return {
    time: new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    date: new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }),
  };
}

function formattersFor(tz: string | undefined): Formatters {
  const key = tz || 'UTC';
  let f = formatters.get(key);
  if (!f) {
    try {
      f = buildFormatters(key);
    } catch {
      f = formatters.get('UTC') ?? buildFormatters('UTC');
    }
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

export function templateValues(f: VoicemailFacts): Record<TemplateVariable, string> {
  const name = f.callerName?.trim() ?? '';
  const id = f.callerId?.trim() ?? '';
  const caller = name && id ? `${name} <${id}>` : name || id || 'unknown caller';
  const at = f.receivedAt && !Number.isNaN(f.receivedAt.getTime()) ? f.receivedAt : undefined;
  return {
    extension: f.extension,
    callerId: id,
    callerName: name,
    caller,
    duration: f.durationSeconds !== undefined ? formatDuration(f.durationSeconds) : '',
    time: at ? formattersFor(f.timeZone).time.format(at) : '',
    date: at ? formattersFor(f.timeZone).date.format(at) : '',
  };
}

/**
 * Renders a template. An empty value takes its surrounding brackets and doubled spaces with it,
 * so the default reads "New voicemail from unknown caller for extension 1001." without a duration.
 */
export function renderTemplate(template: string | null | undefined, facts: VoicemailFacts): string {
  const values = templateValues(facts);
  const text = (template ?? DEFAULT_VOICEMAIL_TEMPLATE).replace(PLACEHOLDER, (_m, name: string) =>
    (TEMPLATE_VARIABLES as readonly string[]).includes(name) ? values[name as TemplateVariable] : '',
  );
  return text
    .replace(/\(\s*\)|\[\s*\]/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([.,;:!?])/g, '$1')
    .trim();
}
