/**
 * One cluster's resourceVersion counter, as etcd's revision: every change of any object takes the next
 * number, so lists and watches agree on where they are. Kept in memory; at start it moves past the
 * versions found in the saved objects, so a version never goes back after a restart.
 * @module
 */
export class ResourceVersions {
  #last = 0;

  /** The version of the latest change (a list's `metadata.resourceVersion`). */
  get current(): string {
    return String(this.#last);
  }

  next(): string {
    this.#last += 1;
    return String(this.#last);
  }

  /** Moves the counter past a version seen elsewhere (a saved object's). */
  observe(version: string | undefined): void {
    const seen = Number(version);
    if (Number.isSafeInteger(seen) && seen > this.#last) this.#last = seen;
  }
}
