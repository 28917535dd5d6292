import { Writable } from 'node:stream';
import { createLogger } from '@pbx-sms/observability';
import { jobLogs, type JobOutcome } from '../src/job-log';

/** Each job logs through a pino child carrying its ids; observers get the outcome with the ids. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const root = createLogger({ level, name: 'worker', destination });
  const seen: JobOutcome[] = [];
  return { root, lines, seen, logs: jobLogs(root, [(o) => seen.push(o)]) };
}

describe('JobLog', () => {
  it('a send job’s outcome line carries its ids without the report naming them', () => {
    const c = capture();
    const log = c.logs({ queue: 'sms-send', jobId: 'j-1', tenantId: 59, messageId: 'm-1' });
    log.report({ outcome: 'sent', attempt: 1, errorCode: null, latencyMs: 12 });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).toMatchObject({
      msg: 'sms-send sent',
      queue: 'sms-send',
      jobId: 'j-1',
      tenantId: 59,
      messageId: 'm-1',
      attempt: 1,
      errorCode: null,
      latencyMs: 12,
    });
    expect(typeof c.lines[0]?.durationMs).toBe('number');
    expect(c.seen).toHaveLength(1);
    expect(c.seen[0]).toMatchObject({ queue: 'sms-send', jobId: 'j-1', tenantId: 59, messageId: 'm-1', outcome: 'sent', attempt: 1 });
  });

  it('lines written through the job’s logger carry its ids too', () => {
    const c = capture();
    c.logs({ queue: 'voicemail-events', jobId: 'vm-59-e1', tenantId: 59 }).logger.warn({ detail: 'x' }, 'something');
    expect(c.lines).toEqual([expect.objectContaining({ msg: 'something', queue: 'voicemail-events', jobId: 'vm-59-e1', tenantId: 59 })]);
  });

  it('an inline send is marked inline, in the line and for observers', () => {
    const c = capture();
    c.logs({ queue: 'sms-send', jobId: 'm-2', tenantId: 59, messageId: 'm-2', inline: true }).report({
      outcome: 'retry',
      attempt: 1,
      errorCode: 'provider_unavailable',
    });
    expect(c.lines[0]).toMatchObject({ inline: true, outcome: 'retry' });
    expect(c.seen[0]).toMatchObject({ inline: true, outcome: 'retry' });
  });

  it('levels: failed and rejected warn, rate_limited and noop are debug (not written at info), the rest info', () => {
    const c = capture();
    for (const outcome of ['failed', 'rejected', 'rate_limited', 'noop', 'queued'] as const) c.logs({ queue: 'sms-send', jobId: outcome }).report({ outcome });
    expect(c.lines.map((l) => [l.jobId, l.level])).toEqual([
      ['failed', 40],
      ['rejected', 40],
      ['queued', 30],
    ]);
    expect(c.seen.map((o) => o.outcome)).toEqual(['failed', 'rejected', 'rate_limited', 'noop', 'queued']);
  });

  it('durationMs counts from the job’s start; an observer that throws fails nothing', () => {
    const c = capture();
    const logs = jobLogs(c.root, [
      () => {
        throw new Error('broken observer');
      },
    ]);
    expect(() => logs({ queue: 'sms-send', jobId: 'j' }, performance.now() - 50).report({ outcome: 'sent' })).not.toThrow();
    expect(c.lines[0]!.durationMs as number).toBeGreaterThanOrEqual(50);
  });
});
