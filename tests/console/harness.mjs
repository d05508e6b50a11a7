// What the console's browser tests (console_test.mjs, oidc_test.mjs) share: their command line,
// playwright-core's chromium, `clearance init` and `clearance serve` on a temporary store, and
// steps that count passes and failures and photograph the page when one fails.
//
// Every test takes: CLEARANCE CONSOLE_DIST CONSOLE_NODE_MODULES CHROMIUM OUT_DIR
// and ends with "N passed, N failed" (Steps.finish).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

// The five arguments, or the usage and exit status 2.
export function parseArgs(script) {
  const [clearance, consoleDist, nodeModules, chromiumPath, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error(`usage: node ${script} CLEARANCE CONSOLE_DIST CONSOLE_NODE_MODULES CHROMIUM OUT_DIR`);
    process.exit(2);
  }
  return { clearance, consoleDist, nodeModules, chromiumPath, outDir };
}

// playwright-core's chromium from the console's own locked packages; exit status 1 without them.
export function loadChromium(nodeModules) {
  try {
    return createRequire(path.join(path.resolve(nodeModules), 'noop.js'))('playwright-core').chromium;
  } catch (e) {
    console.error(`playwright-core is not in ${nodeModules} (run npm ci in console/): ${e.message}`);
    process.exit(1);
  }
}

export function launchBrowser(chromium, chromiumPath) {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
}

// `clearance --db DB init ARGS...`; throws with its output when it fails. `what` names the store.
export function initStore(clearance, db, args, what = 'clearance init') {
  const init = spawnSync(clearance, ['--db', db, 'init', ...args], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`${what} failed: ${init.stdout} ${init.stderr}`);
}

// `clearance serve` over DB with the console from CONSOLE_DIST; resolves to { child, url } once
// it says where it listens (ARGS pick the address), rejects if it exits first.
export function startServer({ clearance, consoleDist }, db, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(clearance, ['--db', db, 'serve', '--console-dir', consoleDist, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`clearance serve exited ${code}: ${out} ${err}`)));
  });
}

export async function stopServer(s) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

export function check(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}

// Steps that build on each other (signed in, then a row to delete): after one that breaks the
// chain fails, the rest are counted failed without running, instead of each waiting out its
// timeouts. Screenshots are numbered in order, OUT_DIR/PREFIXNN-name.png.
export class Steps {
  constructor(outDir, prefix = '') {
    this.outDir = outDir;
    this.prefix = prefix;
    this.passed = 0;
    this.failed = 0;
    this.shot = 0;
    this.broken = '';
  }

  // Runs `fn` as the step `name`. When it fails, `page` (if any) is photographed, and the chain
  // breaks unless `breaks` is false.
  async step(name, fn, { page = null, breaks = true } = {}) {
    if (this.broken) {
      this.failed += 1;
      console.log(`FAIL ${name}: not run, "${this.broken}" failed before it`);
      return;
    }
    try {
      await fn();
      this.passed += 1;
      console.log(`ok   ${name}`);
    } catch (e) {
      this.fail(name, e);
      if (breaks) this.broken = name;
      if (page) await this.screenshot(page, 'failure').then((f) => console.log(`     the page then: ${f}`), () => {});
    }
  }

  // Later steps run again (a new part of the test that does not build on the earlier ones).
  resume() {
    this.broken = '';
  }

  fail(name, e) {
    this.failed += 1;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }

  async screenshot(page, name) {
    this.shot += 1;
    const file = path.join(this.outDir, `${this.prefix}${String(this.shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    return file;
  }

  // Prints the tally and exits: 0 when every step passed and at least one ran.
  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 && this.passed > 0 ? 0 : 1);
  }
}
