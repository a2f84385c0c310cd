/** Messages from the main thread to the decode thread. */
export type DecodeRequest =
  /** Starts decoding data whose output needs at most `capacity` bytes. */
  | { type: 'open'; session: number; capacity: number }
  /** Decodes `body[start, end)`, the next bytes of the session's data, from shared memory. */
  | { type: 'push'; session: number; body: SharedArrayBuffer; start: number; end: number }
  /** Ends the session, and the reply carries the result. */
  | { type: 'end'; session: number }
  /** Ends the session without a reply, for a request that failed. */
  | { type: 'discard'; session: number };

/** The decode thread's reply to `end`. Without `bytes` the data was not valid base64. */
export interface DecodeReply {
  session: number;
  /** Memory that starts with the decoded bytes, `length` of them. */
  bytes?: ArrayBuffer;
  length?: number;
  sha256?: string;
  lineBreaks?: number;
}
