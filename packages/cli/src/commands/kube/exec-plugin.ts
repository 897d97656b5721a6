/**
 * What `get-token` and `kubeconfig convert` agree on: the login mode and the ExecCredential versions.
 * Its own module so get-token loads neither yaml nor the kubeconfig editor.
 * @module
 */
import { UsageError } from '../../exit-codes.ts';

export const EXEC_API_VERSIONS = {
  v1: 'client.authentication.k8s.io/v1',
  v1beta1: 'client.authentication.k8s.io/v1beta1',
} as const;

export function checkLogin(login: string): void {
  if (login !== 'workloadidentity') {
    throw new UsageError(`--login: '${login}' is not supported; credless supports 'workloadidentity'`);
  }
}
