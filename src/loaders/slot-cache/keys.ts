/** The slot cache's store keys and channel, per credential, and the variants a bucket holds. */

/** One variant of an event type's slots: its duration and the grid zone Cal.com rounds in. */
export interface Variant {
  eventTypeId: number;
  /** Minutes; undefined = the event type's default length. */
  duration: number | undefined;
  gridZone: string;
}

/** The key of a variant's entry inside a day bucket: `default@UTC`, `45@Asia/Kolkata`. */
export const variantKey = (v: Pick<Variant, 'duration' | 'gridZone'>) => `${v.duration === undefined ? 'default' : String(v.duration)}@${v.gridZone}`;

/** Reads a {@link variantKey} back. */
export function parseVariantKey(key: string): Pick<Variant, 'duration' | 'gridZone'> {
  const [durationPart, gridZone] = key.split('@') as [string, string];
  return { duration: durationPart === 'default' ? undefined : Number(durationPart), gridZone };
}

export function slotKeys(credentialId: string) {
  return {
    /** One UTC day of one event type: a JSON object of JSON strings, one per variant. */
    bucket: (eventTypeId: number, day: string) => `slots:${credentialId}:${eventTypeId}:${day}`,
    /** The instant (ms) a day was last invalidated, kept `lockTtlMs`: older fetches may not write. */
    tomb: (eventTypeId: number, day: string) => `slots-inv:${credentialId}:${eventTypeId}:${day}`,
    /** A fetch lock of one variant's day. */
    lock: (v: Variant, day: string) => `slots-lock:${credentialId}:${bucketId(v, day)}`,
    /** Fill (and release) announcements: JSON arrays of {@link bucketId}s. */
    filledChannel: `slots-filled:${credentialId}`,
  };
}
export type SlotKeys = ReturnType<typeof slotKeys>;

/** One variant's day, as claims, locks and announcements name it. */
export const bucketId = (v: Variant, day: string) => `${v.eventTypeId}:${variantKey(v)}:${day}`;
