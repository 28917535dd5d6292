import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { classifyProviderFailure } from '@pbx-sms/core';
import { redactText } from '@pbx-sms/observability';
import { ProviderError, type SmsProvider, type SmsRequest, type SmsResult } from './provider';

export interface SnsProviderOptions {
  region: string;
  /** Overrides the AWS endpoint (tests and benchmarks point it at the fake SNS server). */
  endpoint?: string | undefined;
  /** Whole-request timeout; a timeout is a transient failure. */
  timeoutMs: number;
  /** Sockets kept open to SNS; match the worker's concurrency. */
  maxSockets?: number;
  /** Explicit credentials; by default the AWS SDK's usual chain (environment, profile, role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/**
 * AWS SNS direct-to-phone Publish (Transactional, origination number = the tenant's sender).
 * The SDK's own retries are off (`maxAttempts: 1`): the queue owns retrying, so every attempt
 * is recorded. One client per process, with keep-alive sockets.
 */
export class SnsSmsProvider implements SmsProvider {
  readonly name = 'sns';
  private readonly client: SNSClient;
  private readonly timeoutMs: number;

  constructor(opts: SnsProviderOptions) {
    this.timeoutMs = opts.timeoutMs;
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 50 };
    this.client = new SNSClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: Math.min(opts.timeoutMs, 5_000),
        requestTimeout: opts.timeoutMs,
        // Without this the SDK only warns when requestTimeout passes and keeps waiting.
        throwOnRequestTimeout: true,
        httpAgent: new HttpAgent(agentOpts),
        httpsAgent: new HttpsAgent(agentOpts),
      }),
    });
  }

  async send(req: SmsRequest): Promise<SmsResult> {
    const command = new PublishCommand({
      PhoneNumber: req.to,
      Message: req.body,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: req.from },
      },
    });
    let out;
    try {
      // The abort signal backs up the handler's own timeout (e.g. while signing or resolving credentials).
      out = await this.client.send(command, { abortSignal: AbortSignal.timeout(this.timeoutMs + 1_000) });
    } catch (err) {
      throw toProviderError(err);
    }
    if (!out.MessageId) {
      // SNS answered 200 but named no message: not a success. Treated as transient (at-least-once).
      throw new ProviderError('transient', 'provider_unavailable', 'NoMessageId', 'SNS answered without a MessageId', out.$metadata.httpStatusCode);
    }
    return { providerMessageId: out.MessageId };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Extracts the facts the pure classifier needs from whatever the SDK threw. */
export function toProviderError(err: unknown): ProviderError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: string;
    code?: string;
    message?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const name = e.name ?? 'Error';
  const timeout = name === 'TimeoutError' || name === 'AbortError' || e.code === 'ETIMEDOUT';
  const network = !timeout && e.code !== undefined && NETWORK_CODES.has(e.code);
  const httpStatus = e.$metadata?.httpStatusCode;
  const code = timeout ? 'Timeout' : network ? (e.code ?? 'Network') : (e.Code ?? name);
  const c = classifyProviderFailure({ code: timeout || network ? undefined : code, httpStatus, timeout, network });
  const detail = redactText(String(e.message ?? err)).slice(0, 500);
  return new ProviderError(c.kind, c.code, code, detail, httpStatus);
}
