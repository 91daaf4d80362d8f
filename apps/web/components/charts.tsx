/**
 * Small inline SVG charts (no chart library): they scale with their container, carry a title for
 * assistive technology, and come with the numbers as a visually hidden table.
 */
export interface ChartPoint {
  label: string;
  value: number;
}

const width = 480;
const height = 220;
const pad = { top: 12, right: 12, bottom: 28, left: 56 };

function niceMax(value: number): number {
  // At least 2, so the half-way gridline of a chart of counts is a whole number.
  if (value <= 2) return 2;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

function DataTable({ title, points, format }: { title: string; points: ChartPoint[]; format: (n: number) => string }) {
  return (
    <table className="visually-hidden">
      <caption>{title}</caption>
      <tbody>
        {points.map((point) => (
          <tr key={point.label}>
            <th scope="row">{point.label}</th>
            <td>{format(point.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Axes({ max, format, labels }: { max: number; format: (n: number) => string; labels: Array<{ x: number; text: string }> }) {
  const plotHeight = height - pad.top - pad.bottom;
  return (
    <g>
      {[0, 0.5, 1].map((fraction) => {
        const y = pad.top + plotHeight * (1 - fraction);
        return (
          <g key={fraction}>
            <line className="grid" x1={pad.left} x2={width - pad.right} y1={y} y2={y} />
            <text x={pad.left - 6} y={y + 4} textAnchor="end">
              {format(max * fraction)}
            </text>
          </g>
        );
      })}
      {labels.map((label) => (
        <text key={`${label.x}-${label.text}`} x={label.x} y={height - 8} textAnchor="middle">
          {label.text}
        </text>
      ))}
    </g>
  );
}

/** Every n-th label, so a month of days stays readable. */
function sparseLabels(points: ChartPoint[], xFor: (index: number) => number): Array<{ x: number; text: string }> {
  const step = Math.max(1, Math.ceil(points.length / 6));
  return points.flatMap((point, index) => (index % step === 0 ? [{ x: xFor(index), text: point.label }] : []));
}

/** A line with a filled area, for a series over time. */
export function LineChart({ title, points, format }: { title: string; points: ChartPoint[]; format: (n: number) => string }) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const xFor = (index: number) => pad.left + (points.length <= 1 ? plotWidth / 2 : (plotWidth * index) / (points.length - 1));
  const yFor = (value: number) => pad.top + plotHeight * (1 - value / max);
  const line = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${xFor(index).toFixed(1)},${yFor(point.value).toFixed(1)}`).join(' ');
  const area = points.length > 0 ? `${line} L${xFor(points.length - 1).toFixed(1)},${yFor(0)} L${xFor(0).toFixed(1)},${yFor(0)} Z` : '';
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <Axes max={max} format={format} labels={sparseLabels(points, xFor)} />
        {points.length > 0 ? <path className="area" d={area} /> : null}
        {points.length > 0 ? <path className="line" d={line} /> : null}
      </svg>
      <DataTable title={title} points={points} format={format} />
    </figure>
  );
}

/** Vertical bars, for a value per category. */
export function BarChart({ title, points, format }: { title: string; points: ChartPoint[]; format: (n: number) => string }) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const slot = plotWidth / Math.max(1, points.length);
  const barWidth = Math.max(4, slot * 0.6);
  const xFor = (index: number) => pad.left + slot * index + slot / 2;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <Axes max={max} format={format} labels={sparseLabels(points, xFor)} />
        {points.map((point, index) => {
          const barHeight = (plotHeight * point.value) / max;
          return (
            <rect
              key={point.label}
              className="bar"
              x={xFor(index) - barWidth / 2}
              y={pad.top + plotHeight - barHeight}
              width={barWidth}
              height={barHeight}
              rx={3}
            >
              <title>
                {point.label}: {format(point.value)}
              </title>
            </rect>
          );
        })}
      </svg>
      <DataTable title={title} points={points} format={format} />
    </figure>
  );
}

/** A horizontal meter for a share (0–1), coloured by how close it is to full. */
export function Meter({ label, fraction }: { label: string; fraction: number }) {
  const clamped = Math.max(0, Math.min(1, fraction));
  const tone = clamped >= 0.9 ? 'bad' : clamped >= 0.75 ? 'warn' : '';
  return (
    // biome-ignore lint/a11y/useSemanticElements: <meter> draws differently in every browser; this bar carries the same role and values
    <div className={`meter ${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped * 100)}>
      <span style={{ width: `${(clamped * 100).toFixed(1)}%` }} />
    </div>
  );
}

const sparkWidth = 160;
const sparkHeight = 40;

/**
 * A small line over time with no axes, for a metric on a dashboard: its size is fixed by the
 * viewBox and the container, so new points never move the layout. The label says the latest value.
 */
export function Sparkline({ title, values, format }: { title: string; values: number[]; format: (n: number) => string }) {
  const latest = values.at(-1);
  const label = `${title}: ${latest === undefined ? 'no reading yet' : format(latest)}`;
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const xFor = (index: number) => (values.length <= 1 ? sparkWidth : (sparkWidth * index) / (values.length - 1));
  const yFor = (value: number) => 2 + (sparkHeight - 4) * (1 - (value - min) / span);
  const line = values.map((value, index) => `${index === 0 ? 'M' : 'L'}${xFor(index).toFixed(1)},${yFor(value).toFixed(1)}`).join(' ');
  return (
    <figure className="spark">
      <figcaption className="small">
        <span>{title}</span> <strong data-testid="spark-latest">{latest === undefined ? '—' : format(latest)}</strong>
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${sparkWidth} ${sparkHeight}`} preserveAspectRatio="none" role="img" aria-label={label} data-points={values.length}>
        <title>{label}</title>
        {values.length > 0 ? <path className="line" d={line} vectorEffect="non-scaling-stroke" /> : null}
      </svg>
    </figure>
  );
}
