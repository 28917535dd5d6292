import { Writable } from 'node:stream';
import { createLogger } from '@pbx-sms/observability';
import { LazyChildLogger, lazyChildLoggerFactory } from '../src/logging/lazy-child-logger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level, name: 'api', destination }), lines };
}

describe('LazyChildLogger', () => {
  it('writes lines with the parent bindings and its own, redacted like the parent', () => {
    const { logger, lines } = capture('info');
    const child = new LazyChildLogger(logger, { reqId: 'req-1' }, {});
    child.info({ to: '+14165551234', code: 'x' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'api', reqId: 'req-1', to: '[redacted]', code: 'x', msg: 'hello', level: 30 });
  });

  it('makes no pino child while nothing is written at an enabled level', () => {
    const { logger, lines } = capture('info');
    const spy = jest.spyOn(logger, 'child');
    const child = new LazyChildLogger(logger, { reqId: 'req-2' }, {});
    child.debug('not written');
    child.trace('not written');
    expect(child.isLevelEnabled('debug')).toBe(false);
    expect(child.level).toBe('info');
    expect(spy).not.toHaveBeenCalled();
    child.warn('written');
    child.error('written too');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => l.msg)).toEqual(['written', 'written too']);
  });

  it('follows the parent level, and takes its own when set', () => {
    const { logger, lines } = capture('debug');
    const child = new LazyChildLogger(logger, { reqId: 'req-3' }, {});
    child.debug('a');
    child.level = 'warn';
    child.info('b');
    child.warn('c');
    expect(lines.map((l) => l.msg)).toEqual(['a', 'c']);
  });

  it('the factory makes the child at once when the route sets a level', () => {
    const { logger } = capture('info');
    expect(lazyChildLoggerFactory(logger, { reqId: 'r' }, {})).toBeInstanceOf(LazyChildLogger);
    expect(lazyChildLoggerFactory(logger, { reqId: 'r' }, { level: 'debug' })).not.toBeInstanceOf(LazyChildLogger);
  });
});
