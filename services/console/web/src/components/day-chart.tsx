import { chartMaximum, type DayCount } from '../logic/daily-counts';

const BAR = 10;
const GAP = 6;
const HEIGHT = 160;

/** Accesses and refusals per day, as bars; the same numbers in a table for screen readers. */
export function DayChart({ counts, title }: { counts: DayCount[]; title: string }) {
  const max = chartMaximum(counts);
  const width = counts.length * (2 * BAR + GAP) + GAP;
  const total = counts.reduce((sum, c) => ({ a: sum.a + c.accesses, r: sum.r + c.refusals }), {
    a: 0,
    r: 0,
  });
  const height = (n: number) => Math.round((n / max) * (HEIGHT - 20));
  return (
    <figure className="chart">
      <figcaption>
        {title} : {total.a} accès, {total.r} refus.
        <span className="legend">
          <span className="swatch swatch-access" aria-hidden="true" /> accès
          <span className="swatch swatch-refusal" aria-hidden="true" /> refus
        </span>
      </figcaption>
      <div className="chart-scroll">
        <svg
          width={width}
          height={HEIGHT + 24}
          role="img"
          aria-label={`${title} : ${total.a} accès et ${total.r} refus sur ${counts.length} jours`}
        >
          {counts.map((count, index) => {
            const x = GAP + index * (2 * BAR + GAP);
            return (
              <g key={count.day}>
                <rect
                  className="bar-access"
                  x={x}
                  y={HEIGHT - height(count.accesses)}
                  width={BAR}
                  height={height(count.accesses)}
                />
                <rect
                  className="bar-refusal"
                  x={x + BAR}
                  y={HEIGHT - height(count.refusals)}
                  width={BAR}
                  height={height(count.refusals)}
                />
                {index % 7 === 0 ? (
                  <text x={x} y={HEIGHT + 16} className="axis">
                    {count.day.slice(8, 10)}/{count.day.slice(5, 7)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      <details>
        <summary>Voir les chiffres par jour</summary>
        <table>
          <caption>Accès et refus par jour</caption>
          <thead>
            <tr>
              <th scope="col">Jour</th>
              <th scope="col">Accès</th>
              <th scope="col">Refus</th>
            </tr>
          </thead>
          <tbody>
            {counts.map((count) => (
              <tr key={count.day}>
                <td>{count.day}</td>
                <td>{count.accesses}</td>
                <td>{count.refusals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
