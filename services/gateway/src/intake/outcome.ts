/** Result of one `<ticket>` of a request, in document order. */
export type TicketOutcome =
  | { index: number; status: 'stored'; ticketId: number; warnings: string[] }
  /** Invalid data; sending the same ticket again fails the same way. */
  | { index: number; status: 'rejected'; reason: string; warnings: string[] }
  /** Not created because a store or the queue was unavailable; safe to send again. */
  | { index: number; status: 'not-created'; reason: string; warnings: string[] }
  /** Still being processed when the wait ran out; the final result comes later. */
  | { index: number; status: 'pending'; reason: string; warnings: string[]; jobId: string };
