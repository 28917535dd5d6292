import { randomUUID } from 'node:crypto';
import { maskNumber } from '@pbx-sms/core';
import type { SmsProvider, SmsRequest, SmsResult } from './provider';

export interface LocalSms extends SmsRequest {
  providerMessageId: string;
  at: Date;
}

/**
 * The development and demo provider: no network. Each SMS is kept (the most recent
 * `keep`) and printed as one line with the numbers masked; the text is printed because seeing
 * it is the point of a demo. The Message row in Postgres is the message log.
 */
export class LocalSmsProvider implements SmsProvider {
  readonly name = 'local';
  readonly sent: LocalSms[] = [];

  constructor(
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly keep = 1000,
  ) {}

  async send(req: SmsRequest): Promise<SmsResult> {
    const providerMessageId = `local-${randomUUID()}`;
    this.sent.push({ ...req, providerMessageId, at: new Date() });
    if (this.sent.length > this.keep) this.sent.splice(0, this.sent.length - this.keep);
    this.print(`[local sms] message ${req.messageId} from ${maskNumber(req.from)} to ${maskNumber(req.to)}: ${JSON.stringify(req.body)}`);
    return { providerMessageId };
  }

  async close(): Promise<void> {}
}
