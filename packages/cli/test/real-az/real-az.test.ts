/**
 * The real Azure CLI (Debian's azure-cli) against credless, in a private network + mount namespace
 * (`unshare --net --mount`, loopback only, a bind-mounted hosts file; never the machine's /etc/hosts).
 * real-az.sh starts the built credless inside the namespace on :443 as `credless az-env` says and runs
 * az step by step; each step's command and observed result is printed as a table. Skipped, loudly,
 * where az, unshare, ip, openssl, curl or kubectl is missing or the test is not root.
 *
 * Three cases, judged separately: the directory steps the Graph surface serves today, the steps that
 * need OAuth2 permission grants, checkMemberGroups, portal consent and client secrets, and AKS/ACR over
 * the Resource Manager (local clusters and registries; kubectl through the kubeconfig az writes).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { binaryEnv } from '../run-binary.ts';

const SCRIPT = fileURLToPath(new URL('./real-az.sh', import.meta.url));
const TOOLS = ['az', 'unshare', 'ip', 'openssl', 'curl', 'kubectl'];

function whyNot(): string | undefined {
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    return `missing ${missing.join(', ')} (apt-get install azure-cli util-linux iproute2 openssl curl kubernetes-client)`;
  }
  if (process.getuid?.() !== 0) return 'unshare --net --mount and port 443 need root';
  return undefined;
}

interface Step {
  ok: boolean;
  ms: number;
  command: string;
  result: string;
}

function runCase(
  name: string,
): Promise<{ code: number | null; steps: Step[]; stderr: string; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--net', '--mount', 'bash', SCRIPT, name], {
      env: binaryEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const steps = stdout
        .split('\n')
        .filter((line) => line.startsWith('STEP\t'))
        .map((line) => {
          const [, status, ms, command, result] = line.split('\t');
          return { ok: status === 'ok', ms: Number(ms), command: command ?? '', result: result ?? '' };
        });
      resolve({ code, steps, stderr, done: stdout.includes(`DONE ${name}`) });
    });
  });
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function printTable(name: string, steps: Step[]): void {
  const rows = steps.map(
    (step) =>
      `| ${cell(step.command)} | ${step.ok ? 'ok' : 'FAILED'} | ${(step.ms / 1000).toFixed(1)} s | ${cell(step.result)} |`,
  );
  console.log(
    [`real az, ${name}:`, '| command | outcome | time | observed |', '|---|---|---|---|', ...rows].join('\n'),
  );
}

const skip = whyNot();
if (skip) console.warn(`SKIPPED the real-az tests: ${skip}`);

for (const [name, title] of [
  [
    'directory',
    'real az: federated login, account, resource groups, Entra groups, apps, federated credentials, tokens, certificate login',
  ],
  ['consent', 'real az: permission add/grant/list-grants/admin-consent, group member check, create-for-rbac'],
  [
    'aks',
    'real az: aks create (long-running operation)/show/list/get-credentials + kubectl/delete, acr create/list/show, acr build refused',
  ],
] as const) {
  test(title, { skip: skip ?? false, timeout: 600_000 }, async () => {
    const { code, steps, stderr, done } = await runCase(name);
    printTable(name, steps);
    const failed = steps.find((step) => !step.ok);
    assert.equal(failed, undefined, `step failed: ${failed?.command}\n${failed?.result}`);
    assert.equal(code, 0, `real-az.sh ${name} exited ${code}:\n${stderr.slice(-4000)}`);
    assert.ok(done, 'the script ran to its end');
    assert.ok(steps.length >= 8, `ran ${steps.length} steps`);
  });
}
