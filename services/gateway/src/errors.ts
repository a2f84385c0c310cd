/**
 * A failure of the whole request. The HTTP status and the reason go straight into the
 * response envelope; `details` holds extra lines such as every schema error.
 */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly details: { line?: number; message: string }[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'RequestError';
  }
}
