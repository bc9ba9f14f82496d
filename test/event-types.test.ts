/**
 * The event type directory on both stores: its host index (the Lua script and its in-process twin),
 * remembered 404s, and what it does when Cal.com's event-types endpoint does not show an event type
 * that `GET /v2/slots` serves (a team event type the key's user does not host:
 * docs/calcom-contract.md#event-types). Cal.com is a stub here: the simulator shows every event
 * type to every key, so it cannot give that answer.
 */
import { describe, expect, it } from 'vitest';
import { createEventTypeDirectory } from '../src/loaders/event-types.js';
import type { UpstreamEventType } from '../src/upstream/calcom-client.js';
import { UpstreamError } from '../src/upstream/errors.js';
import { quietLog, startStore } from './support/stack.js';

const eventType = (id: number, hostUserIds: number[], lengths: number[] = [30]): UpstreamEventType => ({
  id,
  slug: `et-${id}`,
  title: `Event type ${id}`,
  description: null,
  lengthInMinutes: lengths[0]!,
  lengthInMinutesOptions: lengths.length > 1 ? lengths : null,
  slotInterval: null,
  minimumBookingNotice: 0,
  beforeEventBuffer: 0,
  afterEventBuffer: 0,
  seatsPerTimeSlot: null,
  schedulingType: null,
  teamId: null,
  hostUserIds,
});

const notShown = (id: number) =>
  new UpstreamError({ endpoint: 'eventTypes', status: 404, calcomCode: 'NotFoundException', message: `Event type with id ${id} not found`, rateLimit: {} });

describe.each(['memory', 'redis'] as const)('event type directory (%s store)', (kind) => {
  async function setup(known: Record<number, UpstreamEventType>) {
    const asked: number[] = [];
    const directory = createEventTypeDirectory({
      store: await startStore(kind),
      credentialId: 'tenant',
      log: quietLog,
      calcom: {
        async getEventType(id) {
          asked.push(id);
          const et = known[id];
          if (!et) throw notShown(id);
          return et;
        },
      },
    });
    return { directory, asked };
  }

  it('indexes hosts: event types sharing a host are related, each once, in id order', async () => {
    const { directory, asked } = await setup({ 1: eventType(1, [7]), 2: eventType(2, [7, 8], [30, 90]), 3: eventType(3, [8]), 4: eventType(4, [9]) });
    for (const id of [3, 1, 2, 4, 1]) directory.learn(id);
    await directory.settled();
    for (const id of [1, 2]) directory.learn(id); // known: no second lookup
    await directory.settled();
    expect(asked.sort()).toEqual([1, 2, 3, 4]);
    expect(await directory.related(1)).toEqual([1, 2]);
    expect(await directory.related(2)).toEqual([2, 1, 3]);
    expect(await directory.ofHosts([8, 9])).toEqual([2, 3, 4]);
    expect(await directory.hostsOf(2)).toEqual({ hostUserIds: [7, 8], longestLengthMinutes: 90 });
  });

  it('learns nothing for a day about an event type the key is not shown, and asks once', async () => {
    const { directory, asked } = await setup({});
    directory.learn(5);
    await directory.settled();
    directory.learn(5);
    await directory.settled();
    expect(asked).toEqual([5]);
    expect(await directory.related(5)).toEqual([5]);
    await expect(directory.get(5)).rejects.toMatchObject({ status: 404 }); // remembered: no call
    expect(asked).toEqual([5]);
  });

  it('remembers a 404 from GET /v2/slots apart from the event-types endpoint', async () => {
    const { directory } = await setup({ 6: eventType(6, [1]) });
    expect(await directory.slotsMissing(6)).toBe(false);
    await directory.markSlotsMissing(6);
    expect(await directory.slotsMissing(6)).toBe(true);
    expect((await directory.get(6)).id).toBe(6);
  });
});
