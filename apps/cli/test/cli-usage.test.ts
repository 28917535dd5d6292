import { COMMANDS, runCli } from '../src/cli';

/** Help and usage errors: answered before any service is touched (the environment points nowhere). */

const env = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

/** The CLI's surface: commands and their subcommands, in the order help lists them. */
const SURFACE: Record<string, string[]> = {
  migrate: [],
  'seed-demo': [],
  tenant: ['list', 'get', 'put'],
  number: ['list', 'put', 'delete'],
  settings: ['get', 'put'],
  extension: ['list', 'put', 'delete'],
  'api-key': ['list', 'create', 'revoke'],
  'dry-run': [],
  messages: ['failed', 'show', 'retry', 'retry-all'],
  'rejected-events': ['list'],
  queues: [],
  event: ['publish'],
};
const NAMES = Object.keys(SURFACE);
const WITH_SUBCOMMANDS = NAMES.filter((n) => SURFACE[n]!.length > 0);

it('every command is covered here', () => {
  expect(Object.keys(COMMANDS)).toEqual(NAMES);
});

describe('CLI help', () => {
  it.each(NAMES)("%s: --help, -h and help <command> print that command's usage and exit 0", async (name) => {
    const viaFlag = await cli(name, '--help');
    expect(viaFlag).toMatchObject({ code: 0, err: [] });
    const text = viaFlag.out.join('\n');
    expect(text).toMatch(new RegExp(`^usage of ${name}:`));
    for (const sub of SURFACE[name]!.length ? SURFACE[name]! : ['']) expect(text).toContain(`  ${[name, sub].filter(Boolean).join(' ')}`);
    // Only this command.
    for (const other of NAMES.filter((n) => n !== name && !n.startsWith(name) && !name.startsWith(n)))
      expect(text).not.toMatch(new RegExp(`^  ${other} `, 'm'));
    expect(await cli('help', name)).toEqual(viaFlag);
    expect(await cli(name, '-h')).toEqual(viaFlag);
  });

  it('--help after a subcommand and its arguments still helps', async () => {
    const r = await cli('settings', 'put', '7', '--active', 'yes', '--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/settings put <tenantId> --active yes\|no/);
  });

  it('help alone lists every command and the exit codes', async () => {
    const r = await cli('help');
    expect(r.code).toBe(0);
    for (const name of NAMES) expect(r.out.join('\n')).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(r.out.join('\n')).toMatch(/exit codes: 0 .* 1 .* 2 /);
  });

  it('help for an unknown command says so and lists the commands, exit 2', async () => {
    expect(await cli('help', 'tenants')).toEqual({ code: 2, out: [], err: [`error: unknown command "tenants"; expected one of: ${NAMES.join(', ')}`] });
    expect(await cli('tenants', 'list')).toEqual({ code: 2, out: [], err: [`error: unknown command "tenants"; expected one of: ${NAMES.join(', ')}`] });
  });
});

describe('CLI usage errors: one line, exit 2', () => {
  it('an unknown subcommand says so and lists the valid ones', async () => {
    expect(await cli('tenant', 'lst')).toEqual({
      code: 2,
      out: [],
      err: ['error: unknown subcommand "lst" for tenant; expected one of: list, get, put (see: tenant --help)'],
    });
  });

  it.each(WITH_SUBCOMMANDS)('%s: an unknown subcommand, and a missing one, name the valid ones', async (name) => {
    const expected = `expected one of: ${SURFACE[name]!.join(', ')}`;
    expect(await cli(name, 'nope', '7')).toEqual({
      code: 2,
      out: [],
      err: [`error: unknown subcommand "nope" for ${name}; ${expected} (see: ${name} --help)`],
    });
    expect(await cli(name)).toEqual({ code: 2, out: [], err: [`error: missing subcommand for ${name}; ${expected} (see: ${name} --help)`] });
  });

  it.each([
    [['tenant', 'get'], /^error: missing <tenantId> for tenant get; usage: tenant get <tenantId>/],
    [['number', 'put', '7'], /^error: missing <e164> for number put; usage: number put <tenantId> <e164>/],
    [['extension', 'delete', '7'], /^error: missing <extension> for extension delete/],
    [['api-key', 'revoke', '7'], /^error: missing <keyId> for api-key revoke/],
    [['messages', 'show'], /^error: missing <messageId> for messages show/],
    [['event', 'publish', '59'], /^error: missing <extension> for event publish/],
    [['dry-run'], /^error: missing <tenantId> for dry-run/],
  ])('%j names the missing argument', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    [['tenant', 'list', 'extra'], /^error: unexpected argument "extra" for tenant list/],
    [['tenant', 'put', '7', '--nme', 'x'], /^error: tenant: Unknown option '--nme'/],
    [['tenant', 'get', '7', '--name', 'x'], /^error: --name does not apply to tenant get/],
  ])('%j: an argument that does not belong is named', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([expect.stringMatching(message)]);
  });
});
