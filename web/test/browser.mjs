// Debian's Chromium, driven by playwright-core (which never downloads a browser), and the page's server.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT, temporaryFolder } from './reference.mjs';

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find(existsSync);
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** A headless Chromium with a fresh, empty profile: every page starts with a cold cache. */
export async function launchBrowser() {
  if (!CHROMIUM) throw new Error('chromium not found: install it with apt (make test-web does) or set CHROMIUM');
  const profile = temporaryFolder('chromium');
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };
  return context;
}

/** Push what a clean page never shows onto `problems`: console errors and warnings, page errors, failed
 * requests and HTTP errors. */
export function recordProblems(page, problems) {
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type())) problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
}

/** python3 web/serve.py on a free port; resolves to { url, stop } once it listens. */
export function startServer(modelDir) {
  const python = process.env.EDGEVAE_SERVE_PYTHON ?? 'python3';
  const server = spawn(python, [join(ROOT, 'web', 'serve.py'), '--port', '0', '--quiet', '--model-dir', modelDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    server.on('exit', (code) => reject(new Error(`web/serve.py exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) resolve({ url: match[0], stop: () => server.kill() });
    });
  });
}
