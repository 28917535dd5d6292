import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { redactText } from '@pbx-sms/observability';
import {
  classifyProviderFailure,
  NETWORK_ERROR_CODES,
  ProviderError,
  type SmsProvider,
  type SmsRequest,
  type SmsResult,
  type SnsProviderOptions,
} from '@pbx-sms/sms';

/**
 * The SNS provider as it was before the hand-written client (libs/sms/src/sns.provider.ts):
 * `@aws-sdk/client-sns` PublishCommand. Kept only for the provider-call micro-benchmark
 * (bench/src/provider-call.ts), which compares the two against the fake SNS server.
 * The SDK's own retries are off (`maxAttempts: 1`), one client per process, keep-alive sockets.
 */
export class SdkSnsSmsProvider implements SmsProvider {
  readonly name = 'sns-sdk';
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
function toProviderError(err: unknown): ProviderError {
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
  const network = !timeout && e.code !== undefined && NETWORK_ERROR_CODES.has(e.code);
  const httpStatus = e.$metadata?.httpStatusCode;
  const code = timeout ? 'Timeout' : network ? (e.code ?? 'Network') : (e.Code ?? name);
  const c = classifyProviderFailure({ code: timeout || network ? undefined : code, httpStatus, timeout, network });
  const detail = redactText(String(e.message ?? err)).slice(0, 500);
  return new ProviderError(c.kind, c.code, code, detail, httpStatus);
}
