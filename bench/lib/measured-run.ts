/**
 * One measured load run together with the CPU time the server spent on it, read before and after
 * (one process's, or a primary's and its workers' summed).
 * @module
 */
import { type LoadRunOptions, runLoad } from './load.ts';
import type { MeasuredRun } from './report.ts';

export async function measuredRun(
  options: LoadRunOptions,
  serverCpuMs: () => number | undefined,
): Promise<MeasuredRun> {
  const before = serverCpuMs();
  const measured = await runLoad(options);
  const after = serverCpuMs();
  return { ...measured, cpuMs: before !== undefined && after !== undefined ? after - before : undefined };
}
