// Builds the web UI into OUT_DIR: every file of src/ as it is, plus the browser builds
// of the libraries the UI uses, under vendor/. No bundler and no network: the
// packages come from node_modules (installer/setup-deps.sh runs `npm ci` here).
//
//   node ui/build.mjs OUT_DIR
//
// CMake (modules/api/CMakeLists.txt) runs this and compiles OUT_DIR into the binary;
// VENDOR below and that file's list of vendor outputs must name the same files.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// output path below vendor/ → file in node_modules
const VENDOR = {
  'shaka-player.compiled.js': 'shaka-player/dist/shaka-player.compiled.js',
  'tus.min.js': 'tus-js-client/dist/tus.min.js',
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

function fail(message) {
  console.error(`ui/build.mjs: ${message}`);
  process.exit(1);
}

function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel));
    else out.push(rel);
  }
  return out;
}

function main() {
  const outArg = process.argv[2];
  if (!outArg) fail('usage: node ui/build.mjs OUT_DIR');
  const out = path.resolve(outArg);
  const modules = path.join(here, 'node_modules');
  const missing = Object.values(VENDOR).filter((f) => !existsSync(path.join(modules, f)));
  if (missing.length) {
    fail(`missing ${missing.map((f) => `ui/node_modules/${f}`).join(', ')}.\n`
      + '  Install the UI packages first: installer/setup-deps.sh (runs `npm ci` in ui/).');
  }

  // Start empty so a file removed from src/ does not linger in the binary.
  rmSync(out, { recursive: true, force: true });
  const src = path.join(here, 'src');
  const written = [];
  for (const rel of listFiles(src)) {
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    copyFileSync(path.join(src, rel), path.join(out, rel));
    written.push(rel);
  }
  mkdirSync(path.join(out, 'vendor'), { recursive: true });
  for (const [name, from] of Object.entries(VENDOR)) {
    // The source maps are not shipped; without this line the browser's devtools would
    // ask for them and log a 404.
    const text = readFileSync(path.join(modules, from), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    writeFileSync(path.join(out, 'vendor', name), text);
    written.push(`vendor/${name}`);
  }
  console.log(`ui/build.mjs: ${written.length} files into ${out}`);
}

main();
