let eventCounter = 0;

/** A voicemail event for tenant 59, extension 1001, with a unique eventId and caller name. */
export function voicemailEvent(over: Record<string, unknown> = {}) {
  eventCounter++;
  return {
    eventId: `evt-${Date.now()}-${eventCounter}`,
    tenantId: 59,
    extension: '1001',
    callerId: '+12015550150',
    callerName: `Caller ${eventCounter}`,
    durationSeconds: 42,
    receivedAt: '2026-11-25T14:05:00Z',
    ...over,
  };
}
