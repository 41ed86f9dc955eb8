// Notice preferences (protos/onecode/api/v1/parent.proto NotificationPreferences):
// the page's model and the update it sends.

export interface NotificationChannel { channel: string; on?: boolean }
export interface NotificationKind { kind: string; on?: boolean; alwaysOn?: boolean }
export interface NotificationPreferences { channels?: NotificationChannel[]; kinds?: NotificationKind[] }

export interface PrefUpdate { channelsOn: string[]; kindsOff: string[] }

/** The update of a page's model: the channels on, the kinds off (never an always-on one). */
export function toUpdate(p: NotificationPreferences): PrefUpdate {
  return {
    channelsOn: (p.channels ?? []).filter((c) => c.on).map((c) => c.channel),
    kindsOff: (p.kinds ?? []).filter((k) => !k.on && !k.alwaysOn).map((k) => k.kind),
  }
}

/** The page's model of an answer: proto3 JSON leaves false fields out. */
export function normalise(p: NotificationPreferences | undefined): Required<NotificationPreferences> {
  return {
    channels: (p?.channels ?? []).map((c) => ({ channel: c.channel, on: c.on ?? false })),
    kinds: (p?.kinds ?? []).map((k) => ({ kind: k.kind, on: (k.on ?? false) || (k.alwaysOn ?? false), alwaysOn: k.alwaysOn ?? false })),
  }
}
