/** A command line that does not fit any command: unknown resource, action or option, or a missing argument. */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A well-formed command that cannot be carried out: an invalid value, an id not found or a rule of the catalog. */
export class CommandError extends Error {
  readonly exitCode = 1;

  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}
