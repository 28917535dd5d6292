import { LocalSmsProvider } from '@pbx-sms/sms';

describe('local provider', () => {
  it('records the SMS and prints one line with the numbers masked', async () => {
    const printed: string[] = [];
    const local = new LocalSmsProvider((l) => printed.push(l));
    const out = await local.send({ from: '+14165550100', to: '+14165551234', body: 'Hello', messageId: 'm-1' });
    expect(out.providerMessageId).toMatch(/^local-/);
    expect(local.sent).toMatchObject([{ to: '+14165551234', body: 'Hello', messageId: 'm-1' }]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('"Hello"');
    expect(printed[0]).not.toContain('4165551234');
  });
});
