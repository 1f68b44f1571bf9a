/** The two required date fields (`<id>-from`, `<id>-to`) of a filter form over a period. */
export function DateRangeFields(props: {
  id: string;
  from: string;
  to: string;
  toLabel?: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
}) {
  return (
    <>
      <div>
        <label htmlFor={`${props.id}-from`}>Du</label>
        <input
          id={`${props.id}-from`}
          type="date"
          value={props.from}
          required
          onChange={(e) => props.onFrom(e.target.value)}
        />
      </div>
      <div>
        <label htmlFor={`${props.id}-to`}>{props.toLabel ?? 'Au'}</label>
        <input
          id={`${props.id}-to`}
          type="date"
          value={props.to}
          required
          onChange={(e) => props.onTo(e.target.value)}
        />
      </div>
    </>
  );
}
