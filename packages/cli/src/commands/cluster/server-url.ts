/**
 * The public base URL of the credless server that serves the emulated issuers, as seen from the CLI:
 * `--url`, else $CREDLESS_URL, else the configured public URL, else `https://localhost:<port>` — the
 * same default `credless up` uses.
 * @module
 */
import { loadAddressConfig } from '@credless/server';
import { UsageError } from '../../exit-codes.ts';

export function resolveServerUrl(
  options: { url?: string; dataDir?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  const explicit = options.url ?? env['CREDLESS_URL'];
  if (explicit !== undefined && explicit !== '') {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new UsageError(`--url: '${explicit}' is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`--url: '${explicit}' is not an http(s) URL`);
    }
    return explicit.replace(/\/+$/, '');
  }
  const config = loadAddressConfig(env, options.dataDir ? { dataDir: options.dataDir } : {});
  return config.publicUrl ?? `${config.insecureHttp ? 'http' : 'https'}://localhost:${config.port}`;
}
