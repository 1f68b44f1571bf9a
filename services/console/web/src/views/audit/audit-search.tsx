import type { AuditEvent, Bundle } from 'fhir/r4';
import { useState, type FormEvent } from 'react';
import { getJson } from '../../api/client';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { useLoad } from '../../components/use-call';
import {
  auditSearchParams,
  NO_FILTERS,
  TRANSACTION_CHOICES,
  type AuditFilters,
} from '../../logic/audit-search';
import { apiPath, consolePathOf } from '../../logic/fhir-paths';
import { EventTable } from './event-table';

function filtersFrom(query: URLSearchParams): AuditFilters {
  const filters = { ...NO_FILTERS };
  for (const key of Object.keys(filters) as (keyof AuditFilters)[]) {
    const value = query.get(key);
    if (value !== null) (filters as Record<string, string>)[key] = value;
  }
  return filters;
}

/** ITI-81 for auditors: filters, newest first, one page at a time (`next` link). */
export function AuditSearchView({ query }: { query: URLSearchParams }) {
  const [draft, setDraft] = useState<AuditFilters>(() => filtersFrom(query));
  const [pages, setPages] = useState<string[]>(() => [
    apiPath('audit', 'AuditEvent', auditSearchParams(filtersFrom(query))),
  ]);
  const path = pages[pages.length - 1] ?? '';
  const { state } = useLoad(() => getJson<Bundle>(path), path);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams(
      Object.entries(draft).filter(([, value]) => value !== '') as [string, string][],
    );
    window.history.replaceState(
      null,
      '',
      `#/audit/recherche${[...params].length ? `?${params.toString()}` : ''}`,
    );
    setPages([apiPath('audit', 'AuditEvent', auditSearchParams(draft))]);
  };
  const field = (key: keyof AuditFilters) => ({
    id: `filter-${key}`,
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });
  const bundle = state.status === 'done' ? state.value : undefined;
  const events = (bundle?.entry ?? []).map((e) => e.resource as AuditEvent).filter(Boolean);
  const next = bundle?.link?.find((l) => l.relation === 'next')?.url;

  return (
    <section aria-labelledby="audit-search-title">
      <h1 id="audit-search-title">Recherche dans la trace (ITI-81)</h1>
      <form className="filters" onSubmit={submit}>
        <div>
          <label htmlFor="filter-patientIns">INS du patient</label>
          <input {...field('patientIns')} inputMode="numeric" />
        </div>
        <div>
          <label htmlFor="filter-agent">Professionnel (idNat_PS) ou logiciel</label>
          <input {...field('agent')} />
        </div>
        <div>
          <label htmlFor="filter-from">Du</label>
          <input {...field('from')} type="date" />
        </div>
        <div>
          <label htmlFor="filter-to">Au</label>
          <input {...field('to')} type="date" />
        </div>
        <div>
          <label htmlFor="filter-transaction">Transaction</label>
          <select {...field('transaction')}>
            <option value="">Toutes</option>
            {TRANSACTION_CHOICES.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-outcome">Résultat</label>
          <select {...field('outcome')}>
            <option value="">Tous</option>
            <option value="success">Réussi</option>
            <option value="failure">Refusé ou en échec</option>
          </select>
        </div>
        <div>
          <label htmlFor="filter-purpose">Motif d’accès</label>
          <select {...field('purpose')}>
            <option value="">Tous</option>
            <option value="BTG">Bris de glace</option>
            <option value="ETREAT">Urgence</option>
            <option value="TREAT">Soins</option>
          </select>
        </div>
        <div className="actions">
          <button type="submit">Rechercher</button>
        </div>
      </form>
      {state.status === 'loading' ? <Progress label="Recherche en cours…" /> : null}
      {state.status === 'failed' ? <ErrorBox failure={state.failure} /> : null}
      {bundle && events.length === 0 ? (
        <EmptyState>Aucun événement ne correspond à ces critères.</EmptyState>
      ) : null}
      {events.length > 0 ? (
        <EventTable
          events={events}
          caption={`Événements, du plus récent au plus ancien (page ${pages.length})`}
        />
      ) : null}
      <div className="pager">
        {pages.length > 1 ? (
          <button type="button" className="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Page précédente
          </button>
        ) : null}
        {next ? (
          <button type="button" onClick={() => setPages([...pages, consolePathOf('audit', next)])}>
            Page suivante
          </button>
        ) : null}
      </div>
    </section>
  );
}
