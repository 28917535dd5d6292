import { ConfigError } from '@pbx-sms/config';
import { isAppError } from '@pbx-sms/core';
import { CliContext } from './context';
import { apiKeyCommand, extensionCommand, migrateCommand, numberCommand, settingsCommand, tenantCommand } from './commands/config.commands';
import { seedDemoCommand } from './commands/seed-demo.command';
import { dryRunCommand, eventCommand, messagesCommand, queuesCommand } from './commands/operations.commands';

export const USAGE = `pbx-sms operator CLI (reads DATABASE_URL, REDIS_URL, QUEUE_PREFIX)

  migrate                         apply database migrations (idempotent)
  seed-demo                       create demo tenant 59 and print a new API key
  tenant list | get <id> | put <id> --name NAME [--time-zone ZONE]
  number list <tenant> | put <tenant> <+E164> [--sms-enabled yes|no] | delete <tenant> <+E164>
  settings get <tenant> | put <tenant> --active yes|no --sender +E164|none --voicemail yes|no --api yes|no [--template TEXT]
  extension list <tenant> | put <tenant> <ext> --sms-notifications yes|no --sms-number +E164|none | delete <tenant> <ext>
  api-key list <tenant> | create <tenant> [--permissions sms:send,events:publish] [--name NAME] | revoke <tenant> <keyId>
  dry-run <tenant> --extension EXT | --to +E164 [--via api|event]   which rule would block, in plain words
  messages failed [--tenant ID] [--since ISO] [--until ISO] [--code CODE] | show <id> | retry <id> | retry-all [filters]
  queues                          jobs per state and the latest failed jobs of each queue
  event publish <tenant> <extension> [--caller-id N] [--caller-name NAME] [--duration S]   a test voicemail event`;

type Command = (ctx: CliContext, argv: string[]) => Promise<void>;

export const COMMANDS: Record<string, Command> = {
  migrate: (ctx) => migrateCommand(ctx),
  'seed-demo': (ctx) => seedDemoCommand(ctx),
  tenant: tenantCommand,
  number: numberCommand,
  settings: settingsCommand,
  extension: extensionCommand,
  'api-key': apiKeyCommand,
  'dry-run': dryRunCommand,
  messages: messagesCommand,
  event: eventCommand,
  queues: (ctx) => queuesCommand(ctx),
};

/** Runs one command; returns the exit code (0 ok, 2 bad input or not found, 1 anything else). */
export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    (name && name !== 'help' && name !== '--help' ? err : out)(USAGE);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  let ctx: CliContext | undefined;
  try {
    ctx = CliContext.fromEnv(env, out);
    await command(ctx, rest);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    if (isAppError(e)) {
      err(`error (${e.code}): ${e.message}`);
      return 2;
    }
    if (e instanceof Error && (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      err(`error: ${e.message}`);
      return 2;
    }
    err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await ctx?.close();
  }
}
