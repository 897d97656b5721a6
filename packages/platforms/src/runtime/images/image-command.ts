/**
 * What a container runs. As in Kubernetes, `command` replaces the image's entrypoint and `args` its
 * default arguments. The image's defaults come from `credless-image.json`
 * (`{"command": ["node", "server.js"], "args": [], "env": {"K": "V"}}`) in the image directory, else from
 * package.json's `start` script (run with /bin/sh -c). `node` runs the Node.js that runs credless.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const IMAGE_MANIFEST = 'credless-image.json';

export interface ImageConfig {
  command: string[];
  args: string[];
  env: Record<string, string>;
}

export async function readImageConfig(directory: string): Promise<ImageConfig | undefined> {
  const manifest = await readJson(join(directory, IMAGE_MANIFEST));
  if (manifest !== undefined) {
    const m = manifest as { command?: unknown; args?: unknown; env?: unknown };
    return {
      command: strings(m.command),
      args: strings(m.args),
      env: Object.fromEntries(
        Object.entries((m.env ?? {}) as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      ),
    };
  }
  const pkg = (await readJson(join(directory, 'package.json'))) as
    | { scripts?: { start?: unknown } }
    | undefined;
  const start = pkg?.scripts?.start;
  if (typeof start === 'string' && start.trim() !== '')
    // "$@" passes the container's args on to the script, as npm start -- … would.
    return { command: ['/bin/sh', '-c', `${start} "$@"`, 'sh'], args: [], env: {} };
  return undefined;
}

/** The argv to spawn, or undefined when neither the pod nor the image says what to run. */
export function containerArgv(
  container: { command?: string[] | undefined; args?: string[] | undefined },
  image: ImageConfig | undefined,
): string[] | undefined {
  const command = container.command?.length ? container.command : image?.command;
  if (!command?.length) return undefined;
  const args = container.args ?? (container.command?.length ? [] : (image?.args ?? []));
  const argv = [...command, ...args];
  if (argv[0] === 'node') argv[0] = process.execPath;
  return argv;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text);
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
