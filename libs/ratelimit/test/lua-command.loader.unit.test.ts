import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLuaCommand } from '../src/lua-command.loader';

describe('loadLuaCommand', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lua-commands-'));
    mkdirSync(join(dir, 'includes'));
    writeFileSync(join(dir, 'includes', 'a.lua'), 'local function a() end');
    writeFileSync(join(dir, 'includes', 'b.lua'), '--- @include "includes/a"\nlocal function b() a() end');
    writeFileSync(join(dir, 'both.lua'), 'local rcall = redis.call\n--- @include "includes/b"\n--- @include "includes/a"\nreturn b()');
    writeFileSync(join(dir, 'broken.lua'), '--- @include "includes/missing"');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inlines includes, nested ones too, each file once at its first include', () => {
    expect(loadLuaCommand('both', dir)).toBe('local rcall = redis.call\nlocal function a() end\nlocal function b() a() end\n\nreturn b()');
  });

  it('fails on an include that does not exist, naming the file', () => {
    expect(() => loadLuaCommand('broken', dir)).toThrow(/includes\/missing\.lua/);
  });

  it('loads the token-bucket command with its one refill and no include left', () => {
    const lua = loadLuaCommand('takeTokens');
    expect(lua).not.toMatch(/@include/);
    expect(lua.match(/local function refill\(/g)).toHaveLength(1);
    expect(lua.match(/math\.min\(cap,/g)).toHaveLength(1);
  });
});
