/**
 * plan/apply's directory over a running test credless's own app, in-process (Fastify `inject`), as its
 * local administrator: the CLI's offline transport, with the server's caches seeing every write.
 */
import { connectInProcess } from '@credless/server';
import type { TestCredless } from '@credless/testkit';
import { directoryApiOf } from '../../src/commands/declarative.ts';
import type { DirectoryApi } from '../../src/declarative/directory-api.ts';
import { inProcessGraphApi } from '../../src/session/in-process-graph-api.ts';

export async function inProcessDirectory(credless: TestCredless): Promise<DirectoryApi> {
  const connection = await connectInProcess(credless.app, {
    baseUrl: credless.url,
    graphUrl: credless.graphUrl,
    dataDir: credless.dataDir,
  });
  return directoryApiOf(
    inProcessGraphApi(connection, credless.dataDir, `the data directory ${credless.dataDir}`),
  );
}
