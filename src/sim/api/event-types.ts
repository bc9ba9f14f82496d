/** `GET /v2/event-types/{id}` (cal-api-version 2024-06-14; docs/calcom-contract.md#event-types). */
import { CALCOM_API_VERSIONS } from '../../upstream/contract.js';
import { toEventTypeOutput } from '../event-type-output.js';
import { HttpFailure } from '../http.js';
import { permissionsGuard, success, type ApiHandler } from './context.js';

export const getEventType: ApiHandler = ({ state, req, params }) => {
  if (req.headers['cal-api-version'] !== CALCOM_API_VERSIONS.eventTypes) {
    throw new HttpFailure(
      400,
      'BadRequestException',
      `cal-api-version ${CALCOM_API_VERSIONS.eventTypes} is required: the simulator does not model the older event-types controller`,
    );
  }
  // event-types.controller.ts: PermissionsGuard (controller level) runs before ApiAuthGuard.
  permissionsGuard(req);
  const id = params.id!;
  const eventType = /^\d+$/.test(id) ? state.eventTypes.get(Number(id)) : undefined;
  if (!eventType) throw new HttpFailure(404, 'NotFoundException', `Event type with id ${id} not found`);
  return success(200, toEventTypeOutput(eventType));
};
