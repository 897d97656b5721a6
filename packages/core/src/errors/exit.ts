/** Exit codes of the credless command (the catalogue's operator errors name theirs). @module */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (see the message). */
  failure: 1,
  /** Bad arguments or invalid input values. */
  invalidInput: 2,
  /** The named object does not exist. */
  notFound: 3,
  /** The object exists with different content. */
  conflict: 4,
  /** `credless explain`: no credential matches the token (the report printed says why). */
  noMatch: 5,
  /** `credless plan --detailed-exitcode`: the directory differs from the file (terraform's 2, which is taken). */
  changesPending: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
