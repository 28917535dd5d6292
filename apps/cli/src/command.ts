import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliContext } from './context';
import type { Need } from './reachability';

/**
 * The CLI's commands, declared: each has actions (its subcommands, or one unnamed action) with
 * their arguments, one line of help and what they talk to. Parsing is `util.parseArgs`; this
 * file turns the declarations into help texts and usage errors (docs/decisions.md, "Issue 12").
 */

export interface Args {
  /** The positional arguments after the command and subcommand names, as the action's `args` names them. */
  positionals: string[];
  values: Record<string, string | undefined>;
}

export interface Action {
  /** Arguments after the names: `<required>` positionals, then options, e.g. `<tenantId> --name NAME [--time-zone ZONE]`. */
  args: string;
  help: string;
  needs: readonly Need[];
  run(ctx: CliContext, a: Args): Promise<void>;
}

export interface Command {
  /** String options the command's actions accept (without `--`). */
  options: readonly string[];
  /** By subcommand name; a command without subcommands has the single key ''. */
  actions: Record<string, Action>;
}

/** A mistake in how the command was typed: exit 2 with the message and where to look. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const requiredNames = (args: string) => [...args.replace(/\[[^\]]*\]/g, '').matchAll(/<([^>]+)>/g)].map((m) => m[1]!);

/** One line per action, help text in a column (on its own line under a long one). */
export function usageLines(commands: Record<string, Command>): string[] {
  const lines = Object.entries(commands).flatMap(([name, command]) =>
    Object.entries(command.actions).map(([sub, a]) => [[name, sub, a.args].filter(Boolean).join(' '), a.help] as const),
  );
  const width = Math.min(56, Math.max(...lines.map(([l]) => l.length)));
  return lines.map(([l, help]) => (l.length > width ? `  ${l}\n  ${' '.repeat(width)}  ${help}` : `  ${l.padEnd(width)}  ${help}`));
}

/** Picks the action and checks the arguments; throws a UsageError naming what is wrong. */
export function resolve(name: string, command: Command, argv: string[]): { action: Action; args: Args } {
  const options: ParseArgsConfig['options'] = Object.fromEntries(command.options.map((o) => [o, { type: 'string' as const }]));
  let parsed: { positionals: string[]; values: Record<string, unknown> };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message.split(/\.\s/)[0]}`);
  }
  const values = parsed.values as Record<string, string | undefined>;
  const subs = Object.keys(command.actions);
  let positionals = parsed.positionals;
  let label = name;
  let action = command.actions[''];
  if (!action) {
    const [sub, ...rest] = positionals;
    const expected = `expected one of: ${subs.join(', ')}`;
    if (sub === undefined) throw new UsageError(`missing subcommand for ${name}; ${expected}`);
    action = command.actions[sub];
    if (!action) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)} for ${name}; ${expected}`);
    positionals = rest;
    label = `${name} ${sub}`;
  }
  const required = requiredNames(action.args);
  const usage = `usage: ${label} ${action.args}`.trim();
  if (positionals.length < required.length) throw new UsageError(`missing <${required[positionals.length]}> for ${label}; ${usage}`);
  if (positionals.length > required.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[required.length])} for ${label}; ${usage}`);
  const unused = Object.keys(values).filter((o) => values[o] !== undefined && !action.args.includes(`--${o}`));
  if (unused.length > 0) throw new UsageError(`--${unused[0]} does not apply to ${label}; ${usage}`);
  return { action, args: { positionals, values } };
}
