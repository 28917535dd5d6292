import { parseActionParams, parseServerParam, SEND_MESSAGE_ACTION } from '../src/action/action-params';

const action = SEND_MESSAGE_ACTION;

describe('parseActionParams', () => {
  it('reads the parameters from the query string', () => {
    expect(parseActionParams({ action, apikey: 'k', server: '59', to_number: '+14165551234', body: 'aGk=' }, undefined, undefined)).toEqual({
      ok: true,
      params: { action, apiKey: 'k', server: '59', toNumber: '+14165551234', body: 'aGk=' },
    });
  });

  it('lets the body win over the query string, parameter by parameter', () => {
    const r = parseActionParams({ action: 'nope', apikey: 'q', server: '1', to_number: 'q' }, { action, server: 59, to_number: 'b' }, undefined);
    expect(r).toEqual({ ok: true, params: { action, apiKey: 'q', server: '59', toNumber: 'b', body: undefined } });
  });

  it('lets the X-API-Key header win over apikey', () => {
    const r = parseActionParams({ action, apikey: 'from-query' }, { apikey: 'from-body' }, 'from-header');
    expect(r.ok && r.params.apiKey).toBe('from-header');
  });

  it('accepts parser objects with their own prototype', () => {
    const q = Object.create(Object.create(null) as object) as Record<string, string>;
    q.action = action;
    expect(parseActionParams(q, undefined, undefined).ok).toBe(true);
  });

  it.each([
    ['missing', {}],
    ['empty', { action: '' }],
    ['unknown', { action: 'pbxware.sms.delete_everything' }],
    ['another case', { action: 'PBXWARE.SMS.SEND_MESSAGE' }],
    ['given twice', { action: [action, action] }],
  ])('answers unknown_action when the action is %s', (_name, query) => {
    const r = parseActionParams(query, undefined, undefined);
    expect(r).toMatchObject({ ok: false, code: 'unknown_action' });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'action=pbxware.sms.send_message'],
    ['null', null],
    ['a number', 42],
  ])('answers invalid_request when the body is %s', (_name, body) => {
    expect(parseActionParams({ action }, body, undefined)).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it.each([
    ['a parameter given twice', { action, to_number: ['+1', '+2'] }, /to_number: given more than once/],
    ['a parameter that is not text', { action, body: { nested: true } }, /body: must be a string/],
    ['a non-integer server', { action, server: 1.5 }, /server: must be a string/],
  ])('answers invalid_request for %s', (_name, query, detail) => {
    const r = parseActionParams(query, undefined, undefined);
    expect(r).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(!r.ok && r.detail).toMatch(detail);
  });
});

describe('parseServerParam', () => {
  it.each([
    ['59', 59],
    [' 59 ', 59],
    ['0', null],
    ['-1', null],
    ['59abc', null],
    ['5.9', null],
    ['99999999999', null],
    [undefined, null],
  ])('%s → %s', (input, expected) => {
    expect(parseServerParam(input)).toBe(expected);
  });
});
