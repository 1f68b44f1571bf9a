import { useEffect, useState, type FormEvent } from 'react';
import { send } from '../../api/client';
import { ErrorBox, Notice, Progress } from '../../components/feedback';
import { failureFrom } from '../../components/use-call';
import { apiPath } from '../../logic/fhir-paths';
import type { Failure } from '../../logic/operation-outcome';
import { DateRangeFields } from '../../components/date-range';

interface Download {
  url: string;
  name: string;
  lines: number;
}

/** `$export` of a date range as NDJSON, read as it streams (lines counted), then saved. */
export function ExportView() {
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [progress, setProgress] = useState<{ lines: number; bytes: number } | undefined>();
  const [failure, setFailure] = useState<Failure | undefined>();
  const [download, setDownload] = useState<Download | undefined>();
  // The export is patient data held by the page: released when replaced or when the view goes,
  // not left readable through its blob: address until the tab closes (a shared workstation).
  useEffect(() => {
    if (!download) return undefined;
    return () => URL.revokeObjectURL(download.url);
  }, [download]);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    setDownload(undefined);
    setProgress({ lines: 0, bytes: 0 });
    try {
      const end = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const response = await send(apiPath('audit', 'AuditEvent/$export', { from, to: end }), {
        headers: { accept: 'application/fhir+ndjson' },
      });
      const reader = response.body?.getReader();
      const chunks: BlobPart[] = [];
      let lines = 0;
      let bytes = 0;
      for (;;) {
        const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
        if (chunk.done) break;
        chunks.push(chunk.value);
        bytes += chunk.value.byteLength;
        lines += chunk.value.reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0);
        setProgress({ lines, bytes });
      }
      const blob = new Blob(chunks, { type: 'application/fhir+ndjson' });
      setDownload({ url: URL.createObjectURL(blob), name: `audit-${from}-${to}.ndjson`, lines });
    } catch (error) {
      setFailure(failureFrom(error));
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <section aria-labelledby="export-title">
      <h1 id="export-title">Export de la trace (NDJSON)</h1>
      <form className="filters" onSubmit={(e) => void run(e)}>
        <DateRangeFields
          id="export"
          from={from}
          to={to}
          toLabel="Au (inclus)"
          onFrom={setFrom}
          onTo={setTo}
        />
        <div className="actions">
          <button type="submit" disabled={progress !== undefined}>
            Exporter
          </button>
        </div>
      </form>
      {progress ? (
        <Progress
          label={`Export en cours : ${progress.lines} événement(s), ${Math.round(progress.bytes / 1024)} Kio reçus`}
        />
      ) : null}
      {failure ? <ErrorBox failure={failure} /> : null}
      {download ? (
        <Notice>
          Export terminé : {download.lines} événement(s).{' '}
          <a href={download.url} download={download.name}>
            Enregistrer {download.name}
          </a>
        </Notice>
      ) : null}
    </section>
  );
}
