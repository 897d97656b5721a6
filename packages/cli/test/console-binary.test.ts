/**
 * The built `credless up` and `credless console`, as users run them: `up` prints a console sign-in
 * link, `console` asks the running server for a fresh one through its API (as the data directory's
 * administrator, or bound to an application with --app), each code opens one session and only once,
 * the session's cookie with its CSRF header acts on the Graph API, /console serves the built pages, and
 * no code, cookie or CSRF token appears in the server's output even at debug level.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBinary, withCredlessUp } from './run-binary.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(
  url: string,
  ca: string,
  method: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      { method, ca, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('credless up prints a console link; credless console prints fresh ones; each opens one session', async () => {
  const configDir = await mkdtemp(join(tmpdir(), 'credless-console-cli-'));
  const env = { CREDLESS_CONFIG_DIR: configDir };
  const secrets: string[] = [];
  try {
    await withCredlessUp({ ...env, CREDLESS_LOG_LEVEL: 'debug' }, async (up, dataDir) => {
      const printed = /console +(https:\/\/\S+)\/console\/#code=(\S+)/.exec(up.banner);
      assert.ok(printed, `a console link in the banner:\n${up.banner}`);
      const [, url = '', printedCode = ''] = printed;
      const ca = await readFile(join(dataDir, 'tls', 'ca.crt'), 'utf8');
      const consoleCli = (...args: string[]) =>
        runBinary(['console', '--data-dir', dataDir, '--authority', url, ...args], { env });

      const asked = await consoleCli('-o', 'json');
      assert.equal(asked.code, 0, asked.stderr);
      const fresh = JSON.parse(asked.stdout) as {
        link: string;
        code: string;
        principal: { displayName: string };
      };
      assert.equal(fresh.principal.displayName, 'credless-local-admin');
      assert.equal(fresh.link, `${url}/console/#code=${fresh.code}`);
      assert.notEqual(fresh.code, printedCode);
      const text = await consoleCli();
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^Open the credless console as credless-local-admin .*\n {2}https:\/\/\S+#code=\S+\n/,
      );
      secrets.push(printedCode, fresh.code, /#code=(\S+)/.exec(text.stdout)?.[1] ?? '');

      const redeem = (code: string) => send(`${url}/console/api/session`, ca, 'POST', {}, { code });
      for (const code of [printedCode, fresh.code]) {
        const opened = await redeem(code);
        assert.equal(opened.status, 200, opened.text);
        const cookie = /^credless_console=([^;]+)/.exec(String(opened.headers['set-cookie']))?.[1] ?? '';
        const { csrfToken } = JSON.parse(opened.text) as { csrfToken: string };
        secrets.push(cookie, csrfToken);
        const apps = await send(`${url}/v1.0/applications`, ca, 'GET', {
          cookie: `credless_console=${cookie}`,
          'x-credless-csrf': csrfToken,
        });
        assert.equal(apps.status, 200, apps.text);
        assert.equal((await redeem(code)).status, 401, 'the same code a second time');
      }

      const unknownApp = await consoleCli('--app', '00000000-0000-0000-0000-0000000000aa');
      assert.notEqual(unknownApp.code, 0);
      assert.match(unknownApp.stderr, /cannot sign in to the console/);

      const page = await send(`${url}/console/`, ca, 'GET');
      assert.equal(page.status, 200, 'npm run build built the console');
      assert.match(String(page.headers['content-type']), /^text\/html/);

      // The log: pino's JSON lines on stdout (the banner, which prints the first link, is not a log) and stderr.
      const log = [
        ...up
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{')),
        up.stderr(),
      ].join('\n');
      assert.match(log, /"level":20/, 'the server logged at debug level');
      for (const secret of secrets) {
        assert.ok(secret.length >= 43 && !log.includes(secret), 'a secret in the log');
      }
    });
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
});
