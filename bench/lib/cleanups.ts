/**
 * What a bench run must undo (servers, temp directories), run in reverse order at the end, or on
 * SIGINT/SIGTERM before exiting 130, so an interrupted bench leaves no child server behind.
 * @module
 */
export interface Cleanups {
  push(step: () => Promise<unknown>): void;
  run(): Promise<void>;
}

export function cleanupsOnExit(): Cleanups {
  const steps: Array<() => Promise<unknown>> = [];
  const run = async () => {
    for (const step of steps.splice(0).reverse()) await step().catch((error) => console.error(error));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers`);
      run().finally(() => process.exit(130));
    });
  }
  return { push: (step) => steps.push(step), run };
}
