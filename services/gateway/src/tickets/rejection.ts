/** Invalid ticket data: rejects one ticket with a reason naming the field and the value. */
export class TicketRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TicketRejection';
  }
}
