import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '@pbx-sms/observability';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('never writes keys, phone numbers or bodies', () => {
    const { lines, logger } = capture();
    logger.info(
      { to: '+14165551234', from: '+14165550100', body: 'secret text', apikey: 'pbx_abcdefgh_secret', job: { to: '+14165551234', text: 'secret text' } },
      'sent',
    );
    logger.info(
      { req: { method: 'GET', url: '/?apikey=pbx_abcdefgh_secret&action=pbxware.sms.send_message&server=59&to_number=%2B14165551234&body=WW91' } },
      'request',
    );
    logger.error({ err: new Error('Invalid parameter: PhoneNumber +14165551234 is not valid') }, 'provider error');
    const all = lines.join('');
    for (const secret of ['+14165551234', '14165551234', '+14165550100', 'secret text', 'pbx_abcdefgh_secret', 'WW91']) expect(all).not.toContain(secret);
    expect(all).toContain('action=pbxware.sms.send_message');
    expect(lines).toHaveLength(3);
  });

  it('redacts query values in URLs', () => {
    expect(redactUrl('/?apikey=k&server=59&to_number=%2B1&body=abc')).toBe('/?apikey=[redacted]&server=59&to_number=[redacted]&body=[redacted]');
    expect(redactUrl('/api/admin/tenants/59/sms-numbers/%2B14165550100')).toBe('/api/admin/tenants/59/sms-numbers/[redacted-number]');
    expect(redactUrl('/api/admin/tenants/59/sms-numbers/+14165550100?x=1')).toBe('/api/admin/tenants/59/sms-numbers/[redacted-number]?x=1');
  });
});
