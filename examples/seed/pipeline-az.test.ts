/**
 * The seed's pipeline with only the real tools: pipeline-az.sh runs twice against one credless, with
 * Debian's real `az` and the real `kubectl`, inside `unshare --net --mount` (loopback only, a
 * bind-mounted hosts file mapping Microsoft's host names to credless; never the machine's /etc/hosts).
 * Both runs end with the organization name the deployed frontend shows; the second changes nothing
 * (kubectl prints `unchanged`, never `created`). Skipped, loudly, where a tool is missing or not root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readOutputs, run } from './support.ts';

const PIPELINE_AZ = fileURLToPath(new URL('./pipeline-az.sh', import.meta.url));
const AZ_NAMESPACE = fileURLToPath(new URL('./support/az-namespace.sh', import.meta.url));
const TOOLS = ['az', 'kubectl', 'unshare', 'ip', 'curl', 'jq'];
const RUNS = 2;

function whyNot(): string | undefined {
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    return `missing ${missing.join(', ')} (apt-get install azure-cli kubernetes-client util-linux iproute2 curl jq)`;
  }
  if (process.getuid?.() !== 0) return 'unshare --net --mount and port 443 need root';
  return undefined;
}

// Inside the namespace: the pipeline RUNS times against the one credless az-namespace.sh started (each
// run's output, status and GITHUB_OUTPUT kept in $EVIDENCE), then the tenant's organization name.
const RUN_TWICE = `
set -u
for n in $(seq 1 ${RUNS}); do
  status=0
  GITHUB_OUTPUT="$EVIDENCE/outputs-$n" RUN_NUMBER=1 bash "$PIPELINE_AZ" >"$EVIDENCE/pipeline-az-run-$n.log" 2>&1 || status=$?
  echo "$status" >"$EVIDENCE/status-$n"
  [ "$status" = 0 ] || break
done
export CREDLESS_CONFIG_DIR="$EVIDENCE/credless-config"
credless login -o none && credless tenant list --query "[0].displayName" -o tsv >"$EVIDENCE/organization"
`;

const skip = whyNot();
if (skip) console.warn(`SKIPPED the seed pipeline with the real az and kubectl: ${skip}`);

describe('the seed pipeline with the real az and kubectl', {
  skip: skip ?? false,
  timeout: 1_500_000,
}, () => {
  let evidence: string;
  let organizationName = '';
  const runs: Array<{ status: number; log: string; outputs: Record<string, string> }> = [];

  before(async () => {
    // Kept after the test (the runs' logs are its evidence); the rest is removed.
    evidence = await mkdtemp(join(tmpdir(), 'credless-seed-az-'));
    const env = {
      ...process.env,
      EVIDENCE: evidence,
      PIPELINE_AZ,
      PATH: `${join(fileURLToPath(new URL('../../', import.meta.url)), 'node_modules', '.bin')}:${process.env['PATH']}`,
    };
    const result = await run(
      'unshare',
      ['--net', '--mount', 'bash', AZ_NAMESPACE, 'bash', '-c', RUN_TWICE],
      env,
      1_400_000,
    );
    for (let n = 1; n <= RUNS; n++) {
      const status = await readFile(join(evidence, `status-${n}`), 'utf8').catch(() => '');
      if (!status) break;
      const log = await readFile(join(evidence, `pipeline-az-run-${n}.log`), 'utf8');
      const outputs = Number(status) === 0 ? await readOutputs(join(evidence, `outputs-${n}`)) : {};
      runs.push({ status: Number(status), log, outputs });
      console.log(
        `pipeline-az run ${n}: exit ${status.trim()}, output in ${evidence}/pipeline-az-run-${n}.log`,
      );
    }
    organizationName = (await readFile(join(evidence, 'organization'), 'utf8').catch(() => '')).trim();
    assert.ok(runs.length > 0, `no run finished:\n${result.stdout}\n${result.stderr}`);
  });
  after(async () => {
    if (evidence) await rm(join(evidence, 'credless-config'), { recursive: true, force: true });
  });

  test('runs green and ends with the organization name the frontend shows', () => {
    const first = runs[0];
    assert.ok(first, 'the first run finished');
    assert.equal(first.status, 0, `pipeline-az failed:\n${first.log.slice(-6000)}`);
    assert.ok(organizationName, 'the tenant has an organization name');
    assert.ok(first.log.trimEnd().endsWith(`organization name: ${organizationName}`), first.log.slice(-2000));
    assert.equal(first.outputs['organizationName'], organizationName);
    for (const object of [
      'namespace/azure-workload-identity-system',
      'serviceaccount/workload-identity-sa',
      'deployment.apps/workload-identity-backend',
      'service/workload-identity-frontend',
    ])
      assert.match(first.log, new RegExp(`^${object} (created|unchanged|configured)$`, 'm'), object);
    assert.match(first.log, /^deployment\.apps\/workload-identity-backend created$/m);
    // The federated tokens are never printed (only their header and claims).
    assert.doesNotMatch(first.log, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  test('runs green again against the same credless, changing nothing', () => {
    assert.equal(runs[0]?.status, 0, 'the first run must have passed');
    const second = runs[1];
    assert.ok(second, 'the second run finished');
    assert.equal(second.status, 0, `second run failed:\n${second.log.slice(-6000)}`);
    assert.ok(
      second.log.trimEnd().endsWith(`organization name: ${organizationName}`),
      second.log.slice(-2000),
    );
    for (const object of [
      'namespace/azure-workload-identity-system',
      'configmap/azure-wi-webhook-config',
      'serviceaccount/workload-identity-sa',
      'deployment.apps/workload-identity-backend',
      'deployment.apps/workload-identity-frontend',
      'service/workload-identity-backend',
      'service/workload-identity-frontend',
    ])
      assert.match(second.log, new RegExp(`^${object} unchanged$`, 'm'), `${object} unchanged`);
    assert.doesNotMatch(second.log, / created$/m);
    // The same identities, cluster and registry: nothing was created twice.
    for (const key of [
      'adminGroupId',
      'APPLICATION_CLIENT_ID',
      'APPLICATION_OBJECT_ID',
      'oidcUrl',
      'acrName',
    ])
      assert.equal(second.outputs[key], runs[0]?.outputs[key], key);
  });
});
