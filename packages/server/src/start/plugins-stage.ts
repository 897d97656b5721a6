/**
 * The start-up stages of the plugins (start/server-plugin.ts): opened in the order given, once the store,
 * directory and keys are, and told when the server listens; each one's close runs in reverse order
 * with the other stages'.
 * @module
 */
import type { Closers } from './closers.ts';
import type { PluginHost, PluginParts, ServerPlugin } from './server-plugin.ts';

/** Opens every plugin; one that fails to open fails start-up (what opened before is closed). */
export async function openPlugins(
  plugins: readonly ServerPlugin[],
  host: PluginHost,
  closers: Closers,
): Promise<PluginParts[]> {
  const opened: PluginParts[] = [];
  for (const plugin of plugins) {
    const parts = await plugin.open(host);
    host.logger.debug(`plugin ${plugin.name} opened`);
    opened.push(await closers.open({ value: parts, ...(parts.close ? { close: parts.close } : {}) }));
  }
  return opened;
}

/** Runs each plugin's `listening` hook (after listen), remembering how to stop what it started. */
export async function pluginsListening(opened: readonly PluginParts[], closers: Closers): Promise<void> {
  for (const parts of opened) {
    const close = await parts.listening?.();
    if (close) await closers.open({ value: undefined, close });
  }
}
