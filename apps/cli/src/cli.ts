import { ConfigError } from '@pbx-sms/config';
import { isAppError } from '@pbx-sms/core';
import { resolve, usageLines, UsageError, type Command } from './command';
import { CliContext } from './context';
import { apiKeyCommand, extensionCommand, migrateCommand, numberCommand, settingsCommand, tenantCommand } from './commands/config.commands';
import { seedDemoCommand } from './commands/seed-demo.command';
import { dryRunCommand, eventCommand, messagesCommand, queuesCommand, rejectedEventsCommand } from './commands/operations.commands';
import { requireReachable, UnreachableError } from './reachability';

export const COMMANDS: Record<string, Command> = {
  migrate: migrateCommand,
  'seed-demo': seedDemoCommand,
  tenant: tenantCommand,
  number: numberCommand,
  settings: settingsCommand,
  extension: extensionCommand,
  'api-key': apiKeyCommand,
  'dry-run': dryRunCommand,
  messages: messagesCommand,
  'rejected-events': rejectedEventsCommand,
  queues: queuesCommand,
  event: eventCommand,
};

const NAMES = Object.keys(COMMANDS);
const HELP_FLAGS = new Set(['--help', '-h']);

export function usage(): string {
  return [
    'pbx-sms operator CLI (reads DATABASE_URL, REDIS_URL, QUEUE_PREFIX)',
    'usage: <command> [<subcommand>] [arguments]; <command> --help or help <command> for one command',
    '',
    ...usageLines(COMMANDS),
    '',
    'exit codes: 0 done, 1 failed (e.g. Postgres or Redis unreachable), 2 usage error, invalid input or not found',
  ].join('\n');
}

function helpFor(name: string): string {
  return [`usage of ${name}:`, ...usageLines({ [name]: COMMANDS[name]! })].join('\n');
}

const unknownCommand = (name: string) => `error: unknown command ${JSON.stringify(name)}; expected one of: ${NAMES.join(', ')}`;

/**
 * Runs one command; returns the exit code: 0 done; 1 failed (a service unreachable, anything
 * unexpected); 2 usage error, invalid input or not found. Every failure is one line on `err`.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const [name, ...rest] = argv;
  const fail = (line: string, code: 1 | 2) => {
    err(line);
    return code;
  };
  if (name === undefined || name === 'help' || HELP_FLAGS.has(name)) {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !COMMANDS[topic]) return fail(unknownCommand(topic), 2);
    out(topic === undefined ? usage() : helpFor(topic));
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) return fail(unknownCommand(name), 2);
  const end = rest.indexOf('--');
  if ((end === -1 ? rest : rest.slice(0, end)).some((a) => HELP_FLAGS.has(a))) {
    out(helpFor(name));
    return 0;
  }

  let ctx: CliContext | undefined;
  try {
    const { action, args } = resolve(name, command, rest);
    ctx = CliContext.fromEnv(env, out);
    await requireReachable(action.needs, ctx.config);
    await action.run(ctx, args);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return fail(`error: ${e.message} (see: ${name} --help)`, 2);
    if (e instanceof ConfigError) return fail(e.message, 2);
    if (isAppError(e)) return fail(`error (${e.code}): ${e.message}`, 2);
    if (e instanceof UnreachableError) return fail(`error: ${e.message}`, 1);
    // One line: the last of a multi-line message (Prisma's) is the one that says what happened.
    const message = (e instanceof Error ? e.message : String(e))
      .split('\n')
      .filter((l) => l.trim())
      .pop();
    return fail(`error: ${message?.trim() ?? 'unknown'}`, 1);
  } finally {
    await ctx?.close();
  }
}
