/** A negotiation the initiator got wrong badly enough to fail the login (status 0x0200) or reject the text request. */
export class NegotiationError extends Error {}
