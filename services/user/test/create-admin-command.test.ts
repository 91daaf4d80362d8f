import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type DemaConfig, type RunningProcess } from '@dema/platform';
import { testTargets, type TestEnvironment } from '@dema/platform/testing';
import { createUserService, type UserService } from '../src/app.ts';
import { makeClient, uniqueEmail } from './helpers.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'apps/server/src/cli.ts');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const adminPassword = 'basalt-willow-comet-58';

/** `npm run dema -- …` with `input` on its stdin (a pipe, as from `echo … |`). */
function dema(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [cli, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', DEMA_DEMO_DATA: 'false', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

for (const target of testTargets()) {
  describe(`npm run dema -- create-admin (${target.name})`, () => {
    let environment: TestEnvironment;
    let config: DemaConfig;
    let env: Record<string, string>;
    let dir: string;
    /** The real target keeps one process running beside the command; the embedded one cannot (one PGlite owner). */
    let running: RunningProcess | undefined;
    const open = async () => running ?? startProcess(config, 'test', [createUserService]);
    const release = async (process: RunningProcess) => {
      if (process !== running) await process.close();
    };
    const client = (process: RunningProcess) => makeClient(process.url, '127.0.0.1');

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dema-create-admin-'));
      environment = await target.environment({ dataDir: path.join(dir, 'data') });
      config = environment.config;
      if (target.name === 'embedded') {
        env = { DEMA_DATA_DIR: config.dataDir };
      } else {
        env = {
          USER_DATABASE_URL: config.databaseUrls.user!,
          REDIS_HOST: config.redis!.host,
          REDIS_PORT: String(config.redis!.port),
          REDIS_KEY_PREFIX: config.redis!.keyPrefix,
        };
        running = await startProcess(config, 'test', [createUserService]);
      }
    });
    after(async () => {
      await running?.close();
      await environment.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    test('--password is refused (the process list would show it) and creates nothing', async () => {
      const email = uniqueEmail('argv-admin');
      const result = await dema(['create-admin', '--email', email, '--password', adminPassword], env);
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr, /process list/);
      const process = await open();
      try {
        assert.equal((await client(process).login(email, adminPassword)).status, 401);
      } finally {
        await release(process);
      }
    });

    test('the password piped on stdin creates the admin', async () => {
      const email = uniqueEmail('stdin-admin');
      const result = await dema(['create-admin', '--email', email, '--name', 'Piped Admin'], env, `${adminPassword}\n`);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /admin ready/);
      assert.ok(!result.stdout.includes(adminPassword) && !result.stderr.includes(adminPassword));
      const process = await open();
      try {
        const login = await client(process).login(email, adminPassword);
        assert.equal(login.status, 200, login.text);
        assert.equal(login.body.user.role, 'admin');
        assert.equal(login.body.user.name, 'Piped Admin');
      } finally {
        await release(process);
      }
    });

    test('an existing customer is promoted only with --promote, which ends every session it had', async () => {
      const email = uniqueEmail('earlier-signup');
      let process = await open();
      let session: { accessToken: string; refreshToken: string };
      try {
        await (process.services[0] as UserService).identity.createUser(email, 'customer-password-3141', 'Earlier Signup', 'customer');
        const login = await client(process).login(email, 'customer-password-3141');
        assert.equal(login.status, 200, login.text);
        session = login.body.tokens;
      } finally {
        await release(process);
      }

      const refused = await dema(['create-admin', '--email', email], env, adminPassword);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, /already exists.*--promote/);

      const promoted = await dema(['create-admin', '--email', email, '--promote'], env, adminPassword);
      assert.equal(promoted.code, 0, promoted.stderr);

      process = await open();
      try {
        const api = client(process);
        assert.equal((await api.me(session.accessToken)).status, 401, 'the earlier access token is dead at once');
        const refreshed = await api.refresh(session.refreshToken);
        assert.equal(refreshed.status, 401, `the earlier refresh token gives no admin token: ${refreshed.text}`);
        const login = await api.login(email, adminPassword);
        assert.equal(login.status, 200, login.text);
        assert.equal(login.body.user.role, 'admin');
      } finally {
        await release(process);
      }
    });
  });
}
