import type { Bundle, Communication } from 'fhir/r4';

export interface NotificationRow {
  id: string;
  when: string;
  kind: 'break-glass' | 'invisible-patient' | 'other';
  title: string;
  text: string;
}

const TITLES: Record<NotificationRow['kind'], string> = {
  'break-glass': 'Accès en urgence à votre DMP',
  'invisible-patient': 'Un document vous sera bientôt visible',
  other: 'Notification',
};

function kindOf(communication: Communication): NotificationRow['kind'] {
  const codes = (communication.category ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
  if (codes.includes('emergency-access') || codes.includes('break-glass')) return 'break-glass';
  if (codes.includes('invisible-patient-notice')) return 'invisible-patient';
  return 'other';
}

/** The patient's notices (consent `Communication`), newest first. */
export function notificationsOf(bundle: Bundle): NotificationRow[] {
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((r): r is Communication => r?.resourceType === 'Communication')
    .map((communication) => {
      const kind = kindOf(communication);
      return {
        id: communication.id ?? '',
        when: communication.sent ?? communication.meta?.lastUpdated ?? '',
        kind,
        title: TITLES[kind],
        text: (communication.payload ?? [])
          .map((p) => p.contentString ?? '')
          .filter(Boolean)
          .join(' '),
      };
    })
    .sort((a, b) => b.when.localeCompare(a.when));
}
