/** The V8 flags that fix the server's young generation (new space) size. */
export declare const YOUNG_GENERATION_FLAGS: readonly string[];
/** Whether V8's semi-space size is already set (command line or NODE_OPTIONS). */
export declare function youngGenerationSized(execArgv?: readonly string[], env?: NodeJS.ProcessEnv): boolean;
/** Re-executes this process with YOUNG_GENERATION_FLAGS unless already sized or impossible (returns then). */
export declare function sizeYoungGeneration(): void;
