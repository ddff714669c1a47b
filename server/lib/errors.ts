// Errors whose message is written for the person running Vigil. The CLI prints them as one line
// with no stack trace; their exit code says whether the user (2) or the world (1) is at fault.

export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
