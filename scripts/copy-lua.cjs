// Part of `npm run build`: tsc compiles the TypeScript only, so this copies each lib's Lua
// scripts (libs/<lib>/src/**/*.lua) to the same place under its dist, where they are loaded.
const fs = require('node:fs');
const path = require('node:path');

const libs = path.join(__dirname, '..', 'libs');
for (const lib of fs.readdirSync(libs)) {
  const src = path.join(libs, lib, 'src');
  if (!fs.existsSync(src)) continue;
  for (const file of fs.readdirSync(src, { recursive: true })) {
    if (!String(file).endsWith('.lua')) continue;
    const to = path.join(libs, lib, 'dist', String(file));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(src, String(file)), to);
  }
}
