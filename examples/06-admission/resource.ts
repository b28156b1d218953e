// The typed Booking custom resource of example 06: what the CRD's schema can check, it checks; the rest is admission's.
import { defineCustomResource, s, type ObjectOf } from 'capstan';

export const Bookings = defineCustomResource({
  group: 'admission.examples.capstan.dev',
  version: 'v1',
  kind: 'Booking',
  plural: 'bookings',
  description: 'A booking of a room for a time span.',
  spec: s.object({
    room: s.string({ description: 'The room booked.', minLength: 1, maxLength: 63 }),
    from: s.dateTime({ description: 'Start (RFC 3339).' }),
    until: s.dateTime({ description: 'End (RFC 3339), after the start.' }),
    owner: s.optional(s.string({ description: 'Who booked it; set from the requesting user when absent.', maxLength: 253 })),
  }),
});

export type Booking = ObjectOf<typeof Bookings>;
