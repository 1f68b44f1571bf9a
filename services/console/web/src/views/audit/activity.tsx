import type { AuditEvent } from 'fhir/r4';
import { useState, type FormEvent } from 'react';
import { readAllPages } from '../../api/client';
import { DayChart } from '../../components/day-chart';
import { EmptyState, ErrorBox, Progress } from '../../components/feedback';
import { failureFrom } from '../../components/use-call';
import { auditSearchParams, NO_FILTERS } from '../../logic/audit-search';
import { countPerDay, parisDay, type DayCount } from '../../logic/daily-counts';
import { apiPath, consolePathOf } from '../../logic/fhir-paths';
import type { Failure } from '../../logic/operation-outcome';
import { DateRangeFields } from '../../components/date-range';

/** Per-day accesses and refusals for one patient or one professional (every page of ITI-81). */
export function ActivityView() {
  const today = parisDay(new Date());
  const monthAgo = parisDay(new Date(Date.now() - 29 * 86_400_000));
  const [who, setWho] = useState<'patient' | 'agent'>('patient');
  const [identifier, setIdentifier] = useState('');
  const [from, setFrom] = useState(monthAgo);
  const [to, setTo] = useState(today);
  const [loaded, setLoaded] = useState<number | undefined>();
  const [result, setResult] = useState<{ counts: DayCount[]; title: string; truncated: boolean }>();
  const [failure, setFailure] = useState<Failure | undefined>();

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    setResult(undefined);
    setLoaded(0);
    const filters = {
      ...NO_FILTERS,
      from,
      to,
      ...(who === 'patient' ? { patientIns: identifier } : { agent: identifier }),
    };
    try {
      const { resources, truncated } = await readAllPages<AuditEvent>(
        apiPath('audit', 'AuditEvent', auditSearchParams(filters, 100)),
        (next) => consolePathOf('audit', next),
        (items) => setLoaded(items),
      );
      const title = who === 'patient' ? `Patient ${identifier}` : `Professionnel ${identifier}`;
      setResult({ counts: countPerDay(resources, from, to), title, truncated });
    } catch (error) {
      setFailure(failureFrom(error));
    } finally {
      setLoaded(undefined);
    }
  };

  const empty = result?.counts.every((c) => c.accesses === 0 && c.refusals === 0);
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activité par jour</h1>
      <form className="filters" onSubmit={(e) => void run(e)}>
        <fieldset>
          <legend>Pour</legend>
          <label>
            <input
              type="radio"
              name="who"
              checked={who === 'patient'}
              onChange={() => setWho('patient')}
            />{' '}
            un patient (INS)
          </label>
          <label>
            <input
              type="radio"
              name="who"
              checked={who === 'agent'}
              onChange={() => setWho('agent')}
            />{' '}
            un professionnel (idNat_PS)
          </label>
        </fieldset>
        <div>
          <label htmlFor="activity-identifier">
            {who === 'patient' ? 'INS du patient' : 'idNat_PS du professionnel'}
          </label>
          <input
            id="activity-identifier"
            value={identifier}
            required
            onChange={(e) => setIdentifier(e.target.value)}
          />
        </div>
        <DateRangeFields id="activity" from={from} to={to} onFrom={setFrom} onTo={setTo} />
        <div className="actions">
          <button type="submit" disabled={loaded !== undefined}>
            Afficher
          </button>
        </div>
      </form>
      {loaded !== undefined ? (
        <Progress label={`Lecture de la trace : ${loaded} événement(s)…`} />
      ) : null}
      {failure ? <ErrorBox failure={failure} /> : null}
      {result && empty ? <EmptyState>Aucun accès ni refus sur cette période.</EmptyState> : null}
      {result && !empty ? <DayChart counts={result.counts} title={result.title} /> : null}
      {result?.truncated ? (
        <p className="hint">Seuls les 5 000 événements les plus récents sont comptés.</p>
      ) : null}
    </section>
  );
}
