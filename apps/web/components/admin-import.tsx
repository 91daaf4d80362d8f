'use client';

import { type FormEvent, useEffect, useState } from 'react';
import { type CatalogImportJob, type CatalogImportReport, type InvalidParam, type OrderStatus, orderStatuses } from '@dema/contracts';
import { type DemaApiError, describeFailure } from '@dema/client';
import { api } from '../lib/session.ts';
import { FormError, NoticeAlert, type Notice } from './admin-resource.tsx';
import { FormField } from './form-field.tsx';

/** How often a running import is asked how far it got. */
const pollMs = 500;

/** What the last check or import came to. */
type Outcome = { kind: 'report'; report: CatalogImportReport } | { kind: 'rejected'; detail: string; rows: RejectedRow[] };

interface RejectedRow {
  row: string;
  column: string;
  reason: string;
}

/** The API names a rejected cell `row 12: price` (docs/import-export.md); anything else is the file as a whole. */
function rejectedRows(params: InvalidParam[]): RejectedRow[] {
  return params.map((param) => {
    const match = /^row (\d+): (.+)$/.exec(param.name);
    return match ? { row: match[1]!, column: match[2]!, reason: param.reason } : { row: '—', column: param.name, reason: param.reason };
  });
}

/** Sends the file as the import's text/csv body; resolves the report (up to 1,000 rows) or the job that imports a bigger one. */
async function sendCatalog(file: File, dryRun: boolean): Promise<{ report: CatalogImportReport } | { job: CatalogImportJob }> {
  const answer = await api.POST('/api/products/import', {
    params: { query: { dryRun } },
    // The file's text, as the server would decode it (UTF-8, a BOM dropped); sent as it is, not as JSON.
    body: await file.text(),
    bodySerializer: (csv) => csv,
    headers: { 'content-type': 'text/csv' },
  });
  return 'status' in answer ? { job: answer as CatalogImportJob } : { report: answer as CatalogImportReport };
}

function ImportReport({ report }: { report: CatalogImportReport }) {
  const what = `${report.rows} rows: ${report.products} products, ${report.variants} variants`;
  return (
    <div className="alert alert-success" role="status">
      <p>{report.dryRun ? `The file is good — nothing was written. ${what}.` : `Imported ${what}.`}</p>
      {report.categoriesCreated.length > 0 ? (
        <p>
          {report.dryRun ? 'Categories it would create' : 'Categories created'}: {report.categoriesCreated.join(', ')}
        </p>
      ) : null}
    </div>
  );
}

function RejectedRows({ detail, rows }: { detail: string; rows: RejectedRow[] }) {
  return (
    <section aria-label="Rejected rows">
      <p className="alert alert-error" role="alert">
        {detail} Fix these rows and check the file again.
      </p>
      <table className="data">
        <thead>
          <tr>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Column</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // The API may name one cell more than once, for different reasons.
            // biome-ignore lint/suspicious/noArrayIndexKey: rows come in the API's order and never move
            <tr key={i}>
              <td className="num">{r.row}</td>
              <td className="mono small">{r.column}</td>
              <td className="small">{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A job's rows done of its total, asked again every half second until it ends (and then left showing). */
function JobProgress({ job, onEnd, onRunning }: { job: CatalogImportJob; onEnd: (outcome: Outcome) => void; onRunning: (running: boolean) => void }) {
  const [current, setCurrent] = useState(job);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    onRunning(current.status === 'RUNNING');
    if (current.status !== 'RUNNING') {
      if (current.status === 'SUCCEEDED' && current.report) onEnd({ kind: 'report', report: current.report });
      if (current.status === 'FAILED' && current.problem)
        onEnd({ kind: 'rejected', detail: current.problem.detail, rows: rejectedRows(current.problem.invalidParams) });
      return;
    }
    const timer = setTimeout(() => {
      api.GET('/api/products/import/{id}', { params: { path: { id: current.id } } }).then(
        (next) => {
          setError(null);
          setCurrent(next as CatalogImportJob);
        },
        // The next poll tries again; the bar stays where it was meanwhile.
        (failure: unknown) => {
          setError(describeFailure(failure));
          setCurrent({ ...current });
        },
      );
    }, pollMs);
    return () => clearTimeout(timer);
  }, [current, onEnd, onRunning]);
  const label = current.dryRun ? 'Checking' : 'Importing';
  return (
    <section aria-label="Import progress">
      <p role="status">
        {current.status === 'RUNNING' ? `${label}… ` : current.status === 'SUCCEEDED' ? 'Done. ' : 'Stopped. '}
        {current.doneRows.toLocaleString('en')} of {current.totalRows.toLocaleString('en')} rows
      </p>
      <progress className="import-progress" value={current.doneRows} max={Math.max(current.totalRows, 1)} aria-label={`${label} rows`} />
      {error ? <p className="muted small">{error} (trying again)</p> : null}
    </section>
  );
}

/** Choose a file, check it (dry run), import it; a file over 1,000 rows is a job whose progress shows. */
function ImportForm() {
  const [file, setFile] = useState<File | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [job, setJob] = useState<CatalogImportJob | null>(null);
  const [running, setRunning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | undefined>(undefined);

  async function send(dryRun: boolean): Promise<void> {
    if (!file) {
      setFileError('Choose a CSV file first.');
      return;
    }
    setBusy(true);
    setError(null);
    setFileError(undefined);
    setOutcome(null);
    setJob(null);
    setRunning(false);
    try {
      const sent = await sendCatalog(file, dryRun);
      if ('job' in sent) setJob(sent.job);
      else setOutcome({ kind: 'report', report: sent.report });
    } catch (caught) {
      const failure = caught as DemaApiError;
      const params = failure.problem?.invalidParams ?? [];
      // The summary alone (`N rows rejected…`): the table says which.
      if (failure.status === 422 && params.length > 0)
        setOutcome({ kind: 'rejected', detail: failure.detail ?? describeFailure(failure), rows: rejectedRows(params) });
      else setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void send(true);
  };
  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import products</h2>
      <p className="muted small">
        A CSV file, one row per variant (columns: docs/import-export.md). All or nothing: a file with any rejected row writes nothing. Check it first; it is
        imported only when you press Import.
      </p>
      <form onSubmit={submit} noValidate aria-label="Import products">
        <FormError error={error} />
        <FormField id="import-file" label="CSV file" hint="Products are added, never updated. Over 1,000 rows, the import runs as a job." error={fileError}>
          {(aria) => (
            <input
              {...aria}
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setOutcome(null);
                setJob(null);
                setFileError(undefined);
              }}
            />
          )}
        </FormField>
        <div className="toolbar">
          <button type="submit" className="btn" disabled={busy || running}>
            Check file
          </button>
          <button type="button" className="btn btn-primary" disabled={busy || running} onClick={() => void send(false)}>
            Import
          </button>
        </div>
      </form>
      {job ? <JobProgress key={job.id} job={job} onEnd={setOutcome} onRunning={setRunning} /> : null}
      <div aria-live="polite">
        {outcome?.kind === 'report' ? <ImportReport report={outcome.report} /> : null}
        {outcome?.kind === 'rejected' ? <RejectedRows detail={outcome.detail} rows={outcome.rows} /> : null}
      </div>
    </section>
  );
}

/** Saves an export read as the signed-in admin (the token is not a cookie a plain link would carry). */
function saveFile(csv: Blob, filename: string): void {
  const url = URL.createObjectURL(csv);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // Not at once: the browser may still be reading the blob to save it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A search box as an export's filter. */
function SearchFilter({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (value: string) => void }) {
  return (
    <FormField id={id} label={label}>
      {(aria) => <input {...aria} type="search" value={value} onChange={(e) => onChange(e.target.value)} />}
    </FormField>
  );
}

/** The three CSV exports, each with the filter its list has. */
function Exports() {
  const [search, setSearch] = useState('');
  const [inStock, setInStock] = useState(false);
  const [status, setStatus] = useState('');
  const [email, setEmail] = useState('');
  const [notice, setNotice] = useState<Notice | null>(null);
  // Read as a blob (`parseAs`), so the file is saved byte for byte as the API wrote it.
  const exports = {
    products: () =>
      api.GET('/api/products/export', {
        params: { query: { ...(search.trim() ? { q: search.trim() } : {}), ...(inStock ? { inStock } : {}) } },
        parseAs: 'blob',
      }),
    orders: () => api.GET('/api/orders/export', { params: { query: status ? { status: status as OrderStatus } : {} }, parseAs: 'blob' }),
    customers: () => api.GET('/api/users/export', { params: { query: email.trim() ? { email: email.trim() } : {} }, parseAs: 'blob' }),
  };
  const save = (what: keyof typeof exports): void => {
    const filename = `${what}.csv`;
    setNotice(null);
    exports[what]().then(
      (csv) => {
        saveFile(csv, filename);
        setNotice({ ok: true, text: `Downloaded ${filename}.` });
      },
      (failure: unknown) => setNotice({ ok: false, text: describeFailure(failure) }),
    );
  };
  const exportButton = (what: keyof typeof exports) => (
    <button type="button" className="btn" onClick={() => save(what)}>
      Export {what}
    </button>
  );
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <NoticeAlert notice={notice} />
      <div className="form-grid">
        <fieldset>
          <legend>Products</legend>
          <SearchFilter id="export-products-q" label="Search" value={search} onChange={setSearch} />
          <label className="checkbox">
            <input type="checkbox" checked={inStock} onChange={(e) => setInStock(e.target.checked)} /> In stock only
          </label>
          {exportButton('products')}
        </fieldset>
        <fieldset>
          <legend>Orders</legend>
          <FormField id="export-orders-status" label="Status">
            {(aria) => (
              <select {...aria} value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">Any</option>
                {orderStatuses.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          {exportButton('orders')}
        </fieldset>
        <fieldset>
          <legend>Customers</legend>
          <SearchFilter id="export-users-email" label="Email contains" value={email} onChange={setEmail} />
          {exportButton('customers')}
        </fieldset>
      </div>
    </section>
  );
}

/** Catalog import from CSV with its dry run and progress, and the CSV exports (issue 21). */
export function AdminImport() {
  return (
    <>
      <div className="page-head">
        <h1>Import and export</h1>
      </div>
      <ImportForm />
      <Exports />
    </>
  );
}
