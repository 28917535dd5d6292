import { MAX_SEGMENTS, MAX_UTF8_BYTES, isGsm7Char, measureMessage, type Encoding, type SegmentInfo } from './segments';
import { renderTemplate, type VoicemailFacts } from './template';

/**
 * Voicemail text that fits the tenant template's budget (docs/decisions.md, "Issue 12: voicemail
 * text length"). The budget is the segment count the template yields with BUDGET_FACTS: a
 * 20-character GSM-7 caller name, an E.164 number of the longest kind and every part we never
 * shorten (extension, duration, time, date) at its longest. Only the caller name, then the
 * caller number, are shortened; so whatever the extension or duration, the text fits as long as
 * the template with those parts does.
 */
export const BUDGET_CALLER_NAME = 'Abcdefghij Klmnopqrs';

export const BUDGET_FACTS: VoicemailFacts = {
  extension: '9'.repeat(32),
  callerName: BUDGET_CALLER_NAME,
  callerId: '+123456789012345',
  durationSeconds: 86_400,
  receivedAt: new Date('2026-12-31T23:59:00Z'),
  timeZone: 'UTC',
};

export interface TemplateBudget {
  /** At most MAX_SEGMENTS; the text is also held to MAX_UTF8_BYTES. */
  segments: number;
  /** GSM-7 when the template itself is: then caller parts are written in GSM-7 characters when they must be cut. */
  encoding: Encoding;
}

export interface FittedText {
  text: string;
  info: SegmentInfo;
  /** Whether a caller part was transliterated or cut to fit. */
  shortened: boolean;
}

export function templateBudget(template: string | null | undefined): TemplateBudget {
  const info = measureMessage(renderTemplate(template, BUDGET_FACTS));
  return { segments: Math.max(1, Math.min(MAX_SEGMENTS, info.segments)), encoding: info.encoding };
}

/**
 * Null when the template fits the hard limit with every placeholder empty; else why not, naming
 * the segment count. Such a template can never be sent, so it is refused when saved.
 */
export function templateTooLongReason(template: string): string | null {
  const info = measureMessage(renderTemplate(template, { extension: '' }));
  if (info.segments <= MAX_SEGMENTS && info.bytes <= MAX_UTF8_BYTES) return null;
  return (
    `too long even with every placeholder empty: ${info.segments} SMS segments (${info.encoding}, ${info.characters} characters, ` +
    `${info.bytes} UTF-8 bytes); the limit is ${MAX_SEGMENTS} segments and ${MAX_UTF8_BYTES} bytes`
  );
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

let transliterateOnce: ((text: string) => string) | undefined;

/**
 * The `transliteration` package, loaded on first use: its tables cost about 13 MB of RSS in
 * every process that loads them, and only a non-GSM caller name too long for a GSM-7 template
 * ever needs them.
 */
function transliterate(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (see above); the build is CommonJS
  transliterateOnce ??= (require('transliteration') as typeof import('transliteration')).transliterate;
  return transliterateOnce(text);
}

/** GSM-7 characters kept, runs of others transliterated (Иван → Ivan, 张伟 → Zhang Wei), what remains dropped. */
export function toGsm7(text: string): string {
  const isGsm = (ch: string) => ch.length === 1 && isGsm7Char(ch.charCodeAt(0));
  let out = '';
  let run = '';
  for (const ch of text) {
    if (isGsm(ch)) {
      out += (run && transliterate(run)) + ch;
      run = '';
    } else run += ch;
  }
  out += run && transliterate(run);
  return [...out].filter(isGsm).join('').replace(/ {2,}/g, ' ').trim();
}

type CallerPart = 'callerName' | 'callerId';

function render(template: string | null | undefined, facts: VoicemailFacts): FittedText {
  const text = renderTemplate(template, facts);
  return { text, info: measureMessage(text), shortened: false };
}

function within(info: SegmentInfo, budget: number): boolean {
  return info.segments <= budget && info.bytes <= MAX_UTF8_BYTES;
}

/**
 * The first `keep` graphemes of the part and a mark: `...` while the text stays GSM-7 (a `…`
 * would turn all of it into UCS-2, up to three times the segments), `…` in a UCS-2 text.
 */
function cut(template: string | null | undefined, facts: VoicemailFacts, part: CallerPart, parts: string[], keep: number): FittedText {
  const prefix = parts.slice(0, keep).join('').trimEnd();
  const gsm = render(template, { ...facts, [part]: `${prefix}...` });
  return { ...(gsm.info.encoding === 'GSM-7' ? gsm : render(template, { ...facts, [part]: `${prefix}…` })), shortened: true };
}

/** The longest cut of `part` within the budget, or null when even one grapheme is too many. */
function shorten(template: string | null | undefined, facts: VoicemailFacts, part: CallerPart, budget: number): FittedText | null {
  const parts = [...graphemes.segment(facts[part]?.trim() ?? '')].map((s) => s.segment);
  let best: FittedText | null = null;
  let lo = 1;
  let hi = parts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = cut(template, facts, part, parts, mid);
    if (within(r.info, budget)) {
      best = r;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * Renders the voicemail text within the template's budget: as it is when it fits; else, for a
 * GSM-7 template, with the caller parts in GSM-7 characters; else with the caller name cut (then
 * dropped), then the caller number. A template over the hard limit even without caller parts
 * comes back as it is: the length rule refuses it.
 */
export function fitVoicemailText(template: string | null | undefined, facts: VoicemailFacts): FittedText {
  const first = render(template, facts);
  if (first.info.segments === 1 && first.info.bytes <= MAX_UTF8_BYTES) return first;
  const budget = templateBudget(template);
  if (within(first.info, budget.segments)) return first;
  let f = facts;
  if (budget.encoding === 'GSM-7') {
    f = { ...f, callerName: f.callerName && toGsm7(f.callerName), callerId: f.callerId && toGsm7(f.callerId) };
    const r = render(template, f);
    if (within(r.info, budget.segments)) return { ...r, shortened: true };
  }
  for (const part of ['callerName', 'callerId'] as const) {
    const r = shorten(template, f, part, budget.segments);
    if (r) return r;
    f = { ...f, [part]: undefined };
    const without = render(template, f);
    if (within(without.info, budget.segments)) return { ...without, shortened: true };
  }
  return { ...render(template, f), shortened: true };
}
