// code-server (VS Code 1.100 in a browser) as a child process group: start, install a .vsix, stop.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const repoRoot = resolve(import.meta.dirname, '../..');
const CODE_SERVER_VERSION = '4.100.3';
const cacheDir = process.env.NLP_STUDIO_TEST_CACHE ?? join(repoRoot, '.vscode-test');
export const codeServerBin = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');

/** Settings that keep the workbench quiet and deterministic under test. */
const userSettings = {
  'workbench.startupEditor': 'none', // the Welcome page steals focus
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.quickSuggestions': { other: false, comments: false, strings: false }, // completion only when a test asks
};

const running = new Set();
// A test run that dies must not leave code-server's extension host and file watcher behind.
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Workspace trust on, never asked at startup: a folder not trusted before opens in Restricted Mode. */
const restrictedModeSettings = { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' };

/** Writes user settings (and keybindings) and the config file code-server reads into `root`; returns the CLI flags. */
function prepareDirs(root, extensionsDir, { trust = false, keybindings } = {}) {
  const userDataDir = join(root, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...(trust && restrictedModeSettings) }, null, 2));
  if (keybindings) writeFileSync(join(userDataDir, 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
  const configFile = join(root, 'config.yaml');
  writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  return ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}

/**
 * Starts code-server on a free port; with `trust`, workspace trust is on (untrusted folders open in
 * Restricted Mode), else off. `keybindings` are the user's keybindings.json.
 * @param {{ root: string, extensionsDir?: string, env?: Record<string, string>, startTimeoutMs?: number, trust?: boolean, keybindings?: object[] }} options
 * @returns {Promise<{ origin: string, host: string, log: () => string, stop: () => Promise<void> }>}
 */
export async function startCodeServer({ root, extensionsDir = join(root, 'extensions'), env = {}, startTimeoutMs = 60_000, trust = false, keybindings }) {
  const args = [
    ...prepareDirs(root, extensionsDir, { trust, keybindings }),
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(trust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const child = spawn(codeServerBin, args, {
    detached: true, // its own process group, so stop() reaches the extension host and watchers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env }, // no gallery: no network error pop-ups
  });
  running.add(child);
  let output = '';
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const origin = await new Promise((resolveOrigin, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within ${startTimeoutMs} ms:\n${output}`)), startTimeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveOrigin(match[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });

  const stop = async () => {
    if (!running.has(child)) return;
    killGroup(child, 'SIGTERM');
    const timeout = new Promise((r) => setTimeout(r, 5_000, 'timeout'));
    if ((await Promise.race([exited, timeout])) === 'timeout') killGroup(child, 'SIGKILL');
    killGroup(child, 'SIGKILL'); // children that ignored SIGTERM
    running.delete(child);
  };
  return { origin, host: new URL(origin).host, log: () => output, stop };
}

/** Installs a .vsix into `extensionsDir` with code-server's own CLI. */
export async function installVsix(vsixPath, root, extensionsDir) {
  const { stdout, stderr } = await promisify(execFile)(
    codeServerBin,
    [...prepareDirs(root, extensionsDir), '--install-extension', vsixPath, '--force'],
    { env: { ...process.env, EXTENSIONS_GALLERY: '{}' }, timeout: 120_000 },
  );
  return stdout + stderr;
}
