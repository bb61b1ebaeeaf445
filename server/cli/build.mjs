// Builds the app with `next build` when there is no build of the current sources. Used by
// `npm start` and by the e2e test server, so neither serves a stale build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Returns false when the build failed (its output is already on the console). */
export function ensureBuild(env) {
  const hash = sourceHash();
  const stamp = path.join(root, '.next', 'kiln-source-hash');
  if (fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && readOrEmpty(stamp) === hash) return true;
  console.log('Building Kiln (first start, or the sources changed since the last build)...');
  const build = spawnSync(process.execPath, [nextBin, 'build'], { stdio: 'inherit', env, cwd: root });
  if (build.status !== 0) return false;
  fs.writeFileSync(stamp, hash);
  return true;
}

function sourceHash() {
  const h = createHash('sha256');
  const files = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  for (const dir of ['app', 'components', 'lib', 'server', 'public']) walk(path.join(root, dir));
  for (const file of ['package-lock.json', 'next.config.mjs', 'tsconfig.json', 'postcss.config.mjs', 'instrumentation.ts', 'proxy.ts']) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) files.push(full);
  }
  for (const file of files.sort()) {
    h.update(path.relative(root, file));
    h.update(fs.readFileSync(file));
  }
  return h.digest('hex');
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
