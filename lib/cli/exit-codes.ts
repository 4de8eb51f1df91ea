/** The CLI's exit codes (README "Scan your own trail"): scripts and CI branch on them. */
export const EXIT = {
  /** Done, nothing at or above --fail-on. */
  clean: 0,
  /** Done, with findings at or above --fail-on (scan), a failed rule test, a message or object kept (replays). */
  findings: 1,
  /** The command line or the configuration is wrong: nothing was done. */
  usage: 2,
  /** Something failed while running (a file unreadable, S3 unreachable): the result is incomplete. */
  runtime: 3,
} as const;
