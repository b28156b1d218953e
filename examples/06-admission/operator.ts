// Example 06: admission. A validating webhook refuses overlapping or backwards Bookings at `kubectl apply` time;
// a mutating webhook records who booked. `capstan run examples/06-admission/operator.ts --dev` serves both to a
// local cluster; in a cluster, `--webhook-service` and `capstan generate` (Service, RBAC) do it.
import { AdmissionError, createOperator, type CliSettings, type Operator } from 'capstan';
import { Bookings, type Booking } from './resource.js';

export const operatorName = 'booking-admission';

/** Whether two half-open time spans [a, b) and [c, d) overlap. */
export function overlaps(a: { from: string; until: string }, b: { from: string; until: string }): boolean {
  return Date.parse(a.from) < Date.parse(b.until) && Date.parse(b.from) < Date.parse(a.until);
}

export function createBookingOperator(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: operatorName, ...(settings.logger ? { logger: settings.logger } : {}) });
  const bookings = op.resource<Booking>(Bookings.ref);
  // The cache of Bookings (kept by the watch) is what the validator compares with: no API call per request.
  const byRoom = bookings.index('by-room', (b) => (b.spec ? [`${b.metadata.namespace}/${b.spec.room}`] : []));

  bookings.validate(
    (req) => {
      const spec = req.object?.spec;
      if (!spec) return;
      if (Date.parse(spec.until) <= Date.parse(spec.from))
        throw new AdmissionError(`spec.until (${spec.until}) must be after spec.from (${spec.from})`, { code: 422 });
      const clash = byRoom
        .get(`${req.namespace}/${spec.room}`)
        .find((other) => other.metadata.name !== req.name && other.spec !== undefined && overlaps(other.spec, spec));
      if (clash) throw new AdmissionError(`room ${spec.room} is already booked by ${clash.metadata.name} in that time`, { code: 409 });
      return Date.parse(spec.from) < Date.now() ? { warnings: ['the booking starts in the past'] } : undefined;
    },
    { id: 'bookings' },
  );

  bookings.mutate(
    (req) => {
      if (!req.object?.spec || req.object.spec.owner || !req.user.username) return;
      return { ...req.object, spec: { ...req.object.spec, owner: req.user.username } };
    },
    { id: 'booking-owner', operations: ['CREATE'] },
  );
  return op;
}

// `capstan run` (and `capstan generate`) take the default export.
export default (settings: CliSettings) => createBookingOperator(settings);
export { Bookings } from './resource.js';
