import type { Communication } from 'fhir/r4';
import type { ResourceOperations } from '@dmp/storage';
import { DMP_CONSENT_CODES } from '../domain/vocabulary';

/**
 * Something the patient (and their médecin traitant) must be told: an emergency access (SPEC
 * C2.3, C4.6), or a record update kept from them that was not announced within two weeks (C3.4).
 */
export interface Notification {
  topic: 'emergency-access' | 'invisible-patient-notice';
  patientId: string;
  /** idNat_PS of the médecin traitant to inform as well, when there is one. */
  attendingPhysician?: string;
  text: string;
  /** The resource the notification is about, e.g. `Consent/<grant id>`. */
  about?: string;
  sentAt: Date;
}

/**
 * The notifier port. Implementations write through `writer` so that a notification commits or
 * rolls back with the change that caused it. An e-mail notifier can wrap this one later (its
 * sending would then go through an outbox topic).
 */
export interface Notifier {
  notify(writer: ResourceOperations, notification: Notification): Promise<void>;
}

function communication(notification: Notification, recipient: string): Communication {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ system: DMP_CONSENT_CODES, code: notification.topic }] }],
    subject: { reference: `Patient/${notification.patientId}` },
    recipient: [{ reference: recipient }],
    sent: notification.sentAt.toISOString(),
    ...(notification.about ? { about: [{ reference: notification.about }] } : {}),
    payload: [{ contentString: notification.text }],
  };
}

/**
 * Notifications as FHIR `Communication` resources the patient app finds with
 * `GET /fhir/Communication?recipient=Patient/<id>`; the médecin traitant gets their own.
 */
export function createCommunicationNotifier(): Notifier {
  return {
    async notify(writer, notification) {
      await writer.create(communication(notification, `Patient/${notification.patientId}`));
      if (notification.attendingPhysician) {
        await writer.create(
          communication(notification, `Practitioner/${notification.attendingPhysician}`),
        );
      }
    },
  };
}
