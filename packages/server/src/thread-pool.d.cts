/** The libuv thread-pool size credless wants on this machine (one per CPU, 2–16). */
export declare function threadPoolSize(): number;
/** Sets UV_THREADPOOL_SIZE in `env` unless already set; returns the size in effect. */
export declare function sizeThreadPool(env?: NodeJS.ProcessEnv): string;
