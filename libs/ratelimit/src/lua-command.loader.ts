import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the build puts the `.lua` files: beside this module, in src and in dist alike. */
const COMMANDS_DIR = join(__dirname, 'commands');

/** A line `--- @include "includes/name"`, as BullMQ writes them in its `src/commands`. */
const INCLUDE = /^--- @include "([\w/-]+)"[ \t]*$/gm;

/**
 * The Lua source of the command `commands/<name>.lua`, each `--- @include "path"` line replaced
 * by the file `commands/<path>.lua` (includes may include; each file goes in once, at its first
 * include). Read from disk: call it once per process and keep the answer.
 */
export function loadLuaCommand(name: string, dir = COMMANDS_DIR): string {
  const included = new Set<string>();
  const inline = (path: string): string =>
    readFileSync(join(dir, `${path}.lua`), 'utf8').replace(INCLUDE, (_line, include: string) => {
      if (included.has(include)) return '';
      included.add(include);
      return inline(include);
    });
  return inline(name);
}
