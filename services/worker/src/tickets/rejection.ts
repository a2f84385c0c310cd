/**
 * Ticket data that the catalog does not accept, such as an unknown department. The job
 * completes with a rejected result and is never retried, because the same data would
 * fail the same way.
 */
export class TicketRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TicketRejection';
  }
}
