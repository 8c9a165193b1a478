/**
 * Salesforce's exact Streaming API error texts. Clients match on them (EMP-era code compares the invalid-replay text
 * verbatim, including the two spaces after "invalid."), so they live in one place.
 */
export const StreamingErrors = {
  requiresAuthentication: '401::Request requires authentication',
  authenticationInvalid: '401::Authentication invalid',
  handshakeDenied: '403::Handshake denied',
  concurrentClientLimit: '403::Organization concurrent user limit exceeded',
  unknownClient: '403::Unknown client',
  notHandshaken: '403::Client has not completed handshake',
  restrictedChannel: '403::Restricted channel',
  dailyDeliveryLimit: '403::Organization total events daily limit exceeded',
  invalidReplayId: (replayId: unknown): string =>
    `400::The replayId {${String(replayId)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
  unknownChannel: (channel: string): string =>
    `400::The channel you requested to subscribe to does not exist {${channel}}`,
  publishNotAllowed: (channel: string): string =>
    `403::Publishing to ${channel} is not allowed; publish platform events through the API`,
  invalidMessage: (detail: string): string => `400::Invalid Bayeux message: ${detail}`,
  unknownMetaChannel: (channel: string): string => `400::Unknown meta channel ${channel}`,
} as const;

/** HTTP-level (non-Bayeux) refusals of the `/cometd/{NN.0}` endpoint. */
export const HttpErrors = {
  versionMissing: "API version in the URI is mandatory. URI format: '/cometd/66.0'",
  versionUnsupported: "Unsupported API version. Only API versions '37.0' and later are supported.",
  tooLarge: 'Maximum Request Size Exceeded',
} as const;

/** A refusal carried inside a Bayeux reply (HTTP 200), e.g. `400::The channel you requested ... {/event/X__e}`. */
export class BayeuxError extends Error {
  constructor(readonly error: string) {
    super(error);
    this.name = 'BayeuxError';
  }
}
