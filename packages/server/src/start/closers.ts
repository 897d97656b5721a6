/**
 * What start-up stages opened, closed in reverse order: when a later stage fails, or when the running
 * server closes. Each stage returns its result together with how to close it.
 * @module
 */

export type Closer = () => Promise<void> | void;

/** A stage's result and, when it holds something open, how to close it. */
export interface Opened<T> {
  value: T;
  close?: Closer;
}

export class Closers {
  readonly #closers: Closer[] = [];
  #closed = false;

  /** Awaits a stage, remembers how to close what it opened, and hands back its result. */
  async open<T>(stage: Opened<T> | Promise<Opened<T>>): Promise<T> {
    const { value, close } = await stage;
    if (close) this.#closers.push(close);
    return value;
  }

  /** Runs every closer once, last opened first. */
  async closeAll(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of this.#closers.reverse()) await close();
  }
}
