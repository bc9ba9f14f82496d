/**
 * Cal.com as the rest of the gateway sees it: every call goes through the quota scheduler, with the
 * caller's priority, deadline and cancellation signal.
 */
import type { CallOptions, QuotaScheduler } from '../quota/scheduler.js';
import type { CalcomClient, SlotsQuery, UpstreamEventType, UpstreamSlot } from './calcom-client.js';

export interface CalcomApi {
  /** `GET /v2/slots` through the scheduler (endpoint group `slots`). */
  getSlots(query: SlotsQuery, call?: CallOptions): Promise<{ slots: UpstreamSlot[] }>;
  /** `GET /v2/event-types/{id}` through the scheduler (endpoint group `eventTypes`). */
  getEventType(id: number, call?: CallOptions): Promise<UpstreamEventType>;
}

export function createScheduledCalcom(client: CalcomClient, scheduler: QuotaScheduler): CalcomApi {
  return {
    getSlots: (query, call) =>
      scheduler.schedule(
        {
          group: 'slots',
          method: 'GET',
          run: async (signal) => {
            const result = await client.getSlots(query, { signal });
            return { value: result, rateLimit: result.rateLimit };
          },
        },
        call,
      ),
    getEventType: (id, call) =>
      scheduler.schedule(
        {
          group: 'eventTypes',
          method: 'GET',
          run: async (signal) => {
            const { eventType, rateLimit } = await client.getEventType(id, { signal });
            return { value: eventType, rateLimit };
          },
        },
        call,
      ),
  };
}
