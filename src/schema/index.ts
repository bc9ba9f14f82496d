/** Builds the schema from the domain files; each registers its types on the one builder. */
import { builder } from './builder.js';
import './errors.js';
import './availability.js';
import './event-type.js';
import './alternatives.js';
import './quota.js';
import './bookings.js';
import './live.js';

export const schema = builder.toSchema({ sortSchema: true });
