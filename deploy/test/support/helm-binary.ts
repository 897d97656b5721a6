/**
 * The real `helm template`, when a helm binary is on PATH: the chart tests compare its objects with the
 * subset renderer's one by one. No route to a helm binary exists on the development machine (Debian
 * ships none, the npm registry has no package carrying one), so without it that comparison is skipped
 * and says so.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  CHART_DIR,
  DEFAULT_RELEASE,
  type K8sObject,
  parseObjects,
  type RenderOptions,
} from '../../scripts/chart.ts';

export function helmOnPath(): boolean {
  return spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0;
}

/** Runs the real `helm template`; only called when helmOnPath(). */
export function helmTemplate(options: RenderOptions = {}): K8sObject[] {
  const release = options.release ?? DEFAULT_RELEASE;
  const dir = mkdtempSync(join(tmpdir(), 'credless-helm-'));
  try {
    const valuesFile = join(dir, 'values.yaml');
    writeFileSync(valuesFile, stringify(options.values ?? {}));
    const result = spawnSync(
      'helm',
      [
        'template',
        release.Name,
        options.chartDir ?? CHART_DIR,
        '--namespace',
        release.Namespace,
        '-f',
        valuesFile,
        // Old Helm versions default to Kubernetes 1.20, below the chart's kubeVersion.
        '--kube-version',
        '1.30.0',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return parseObjects(result.stdout, 'helm template');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
