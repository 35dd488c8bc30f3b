/** An error answer, rendered by the service's protocol (JSON `__type`, STS `ErrorResponse`, EC2 `Response/Errors`). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the modelled exception (e.g. Organizations `Reason`). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }

  /** STS `<Type>`: Sender for 4xx, Receiver for 5xx. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** An HTTP reply ready to write. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}
