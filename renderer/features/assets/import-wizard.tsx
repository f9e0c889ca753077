import { useId, useState } from 'react';

import type { OpOutput } from '../../../shared/api/contract';
import {
  IMPORT_FIELDS,
  IMPORT_FORMATS,
  type ImportField,
  type ImportMapping,
  type Reconciliation,
} from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { LoadingState } from '../../components/empty-state';
import { SelectField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { cx } from '../../lib/format';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

import { FileField } from './file-field';
import {
  FORMAT_LABELS,
  formatFromName,
  MAX_IMPORT_BYTES,
  readFileAsBase64,
  type ImportFormat,
} from './file-source';

type Preview = OpOutput<'imports.preview'>;
type ApplyResult = OpOutput<'imports.apply'>;
type Decision = 'add' | 'skip' | 'take-source' | 'keep-inventory' | 'keep' | 'remove' | 'later';
type Category = 'newHosts' | 'mismatches' | 'neverReached' | 'notInSource';
type FileSource = { fileName: string; contentBase64: string; format: ImportFormat };

const FIELD_LABELS: Readonly<Record<ImportField, string>> = {
  name: 'Name',
  address: 'Address',
  port: 'SSH port',
  username: 'Login name',
  cmdbId: 'CMDB id',
  osName: 'OS',
  tier: 'Tier',
  environment: 'Environment',
  owner: 'Owner',
  businessService: 'Business service',
  dataSensitivity: 'Data sensitivity',
  regulatoryTags: 'Regulatory tags',
  haGroup: 'HA group',
  networkZone: 'Network zone',
  exposure: 'Exposure',
  tags: 'Tags',
  notes: 'Notes',
};

const CATEGORY_CHOICES: Readonly<Record<Category, readonly { value: Decision; label: string }[]>> =
  {
    newHosts: [
      { value: 'add', label: 'Add' },
      { value: 'skip', label: 'Skip' },
      { value: 'later', label: 'Decide later' },
    ],
    mismatches: [
      { value: 'keep-inventory', label: 'Keep inventory' },
      { value: 'take-source', label: 'Take source' },
      { value: 'later', label: 'Decide later' },
    ],
    neverReached: [
      { value: 'keep', label: 'Keep' },
      { value: 'remove', label: 'Remove' },
      { value: 'later', label: 'Decide later' },
    ],
    notInSource: [
      { value: 'keep', label: 'Keep' },
      { value: 'remove', label: 'Remove' },
      { value: 'later', label: 'Decide later' },
    ],
  };

/** The safe choice for each category: nothing is overwritten or removed unless chosen. */
const DEFAULT_DECISION: Readonly<Record<Category, Decision>> = {
  newHosts: 'add',
  mismatches: 'keep-inventory',
  neverReached: 'keep',
  notInSource: 'keep',
};

/** Items listed per category; the bulk choice covers the rest. */
const MAX_LISTED = 200;

const STEPS = ['Choose file', 'Map columns', 'Reconcile', 'Done'] as const;

function Steps({ current }: { current: number }) {
  return (
    <ol className="wizard-steps" aria-label="Import steps">
      {STEPS.map((label, i) => (
        <li
          key={label}
          className={cx(i === current && 'is-current', i < current && 'is-done')}
          aria-current={i === current ? 'step' : undefined}
        >
          <span className="wizard-step-no">{i + 1}</span> {label}
        </li>
      ))}
    </ol>
  );
}

function keysOf(r: Reconciliation, category: Category): string[] {
  return r[category].map((item) => item.key);
}

function initialDecisions(r: Reconciliation): Record<string, Decision> {
  const out: Record<string, Decision> = {};
  for (const category of Object.keys(DEFAULT_DECISION) as Category[]) {
    for (const key of keysOf(r, category)) out[key] = DEFAULT_DECISION[category];
  }
  return out;
}

function FileStep({
  onPreview,
  onClose,
}: {
  onPreview: (preview: Preview, source: FileSource) => void;
  onClose: () => void;
}) {
  const [file, setFile] = useState<File>();
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const choose = (chosen: File | undefined) => {
    setFile(chosen);
    setError(undefined);
    setFormat(chosen ? (formatFromName(chosen.name) ?? '') : '');
  };

  const submit = async () => {
    setFailure(undefined);
    if (!file) return setError('Choose the file to import.');
    if (!format) return setError('Choose the format of this file.');
    if (file.size > MAX_IMPORT_BYTES) {
      return setError('This file is larger than 35 MB. Split it, or export only the hosts needed.');
    }
    setBusy(true);
    const source = {
      fileName: file.name,
      contentBase64: await readFileAsBase64(file),
      format,
    };
    const preview = await runAction(
      `Reading ${file.name}`,
      () =>
        api.call('imports.preview', {
          format,
          source: { fileName: source.fileName, contentBase64: source.contentBase64 },
        }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (preview) onPreview(preview, source);
  };

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      noValidate
    >
      <FormError error={failure} />
      <p>
        Import hosts from a CMDB export (CSV, Excel or OpenDocument spreadsheet with one host per
        row) or from an Nmap scan saved as XML. Nothing changes until you review and apply.
      </p>
      <FileField
        label="File"
        accept=".csv,.txt,.xlsx,.xls,.ods,.xml"
        error={error}
        onFile={choose}
      />
      <SelectField
        label="Format"
        hint="Guessed from the file name; change it if it is wrong."
        value={format}
        onChange={(e) => setFormat(IMPORT_FORMATS.find((f) => f === e.target.value) ?? '')}
      >
        <option value="">Choose…</option>
        {IMPORT_FORMATS.map((f) => (
          <option key={f} value={f}>
            {FORMAT_LABELS[f]}
          </option>
        ))}
      </SelectField>
      <div className="dialog-actions">
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={busy} busyLabel="Reading file…">
          Preview
        </Button>
      </div>
    </form>
  );
}

function MappingStep({
  preview,
  fileName,
  sheet,
  onSheet,
  onBack,
  onReconciled,
}: {
  preview: Preview;
  fileName: string;
  sheet: string | undefined;
  onSheet: (sheet: string) => void;
  onBack: () => void;
  onReconciled: (r: Reconciliation) => void;
}) {
  const [mapping, setMapping] = useState<ImportMapping>(preview.mapping);
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const sample = preview.sampleRows;

  const setField = (field: ImportField, column: string) => {
    setMapping((m) => {
      const next = { ...m };
      if (column) next[field] = column;
      else delete next[field];
      return next;
    });
    if (field === 'address' && column) setError(undefined);
  };

  const submit = async () => {
    setFailure(undefined);
    if (!mapping.address) {
      setError('Map a column to Address: PatchDeck needs it to reach each host.');
      return;
    }
    setBusy(true);
    const r = await runAction(
      'Comparing the file with the inventory',
      () => api.call('imports.reconcile', { importId: preview.importId, mapping }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (r) onReconciled(r);
  };

  const sampleFor = (column: string | undefined) => {
    if (!column) return '';
    const index = preview.columns.indexOf(column);
    return index < 0 ? '' : (sample[0]?.[index] ?? '');
  };

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      noValidate
    >
      <FormError error={failure} />
      <p>
        <strong>{preview.rowCount.toLocaleString()}</strong> row
        {preview.rowCount === 1 ? '' : 's'} in <strong>{fileName}</strong>.{' '}
        {preview.mappingRemembered
          ? 'The columns are mapped as the last time this source was imported.'
          : 'The columns below are a guess from their names: check them.'}
      </p>
      {preview.sheets.length > 1 && (
        <SelectField
          label="Worksheet"
          className="field-inline"
          value={sheet ?? preview.sheets[0]}
          onChange={(e) => onSheet(e.target.value)}
        >
          {preview.sheets.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
      )}
      <div className="table-wrap preview-wrap">
        <table className="data-table preview-table" aria-label="First rows of the file">
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sample.slice(0, 5).map((row, i) => (
              <tr key={i}>
                {preview.columns.map((c, j) => (
                  <td key={c}>{row[j] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="mapping-error">
          {error}
        </p>
      )}
      <div className="table-wrap">
        <table className="data-table mapping-table" aria-label="Column mapping">
          <thead>
            <tr>
              <th scope="col">PatchDeck field</th>
              <th scope="col">Column in the file</th>
              <th scope="col">First value</th>
            </tr>
          </thead>
          <tbody>
            {IMPORT_FIELDS.map((field) => (
              <tr key={field} className={field === 'address' && error ? 'is-invalid' : undefined}>
                <th scope="row">
                  <label htmlFor={`map-${field}`}>
                    {FIELD_LABELS[field]}
                    {field === 'address' && <span className="required"> (required)</span>}
                  </label>
                </th>
                <td>
                  <select
                    id={`map-${field}`}
                    value={mapping[field] ?? ''}
                    onChange={(e) => setField(field, e.target.value)}
                    aria-invalid={field === 'address' && error ? true : undefined}
                  >
                    <option value="">Not imported</option>
                    {preview.columns.map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="muted">{sampleFor(mapping[field])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="dialog-actions">
        <Button onClick={onBack} disabled={busy}>
          Back
        </Button>
        <Button type="submit" variant="primary" busy={busy} busyLabel="Comparing…">
          Continue
        </Button>
      </div>
    </form>
  );
}

type Row = { key: string; cells: [string, string, string] };

function rowsOf(r: Reconciliation, category: Category): Row[] {
  switch (category) {
    case 'newHosts':
      return r.newHosts.map((i) => ({
        key: i.key,
        cells: [i.name, i.address, `row ${i.row}`],
      }));
    case 'mismatches':
      return r.mismatches.map((i) => ({
        key: i.key,
        cells: [`${i.hostName} · ${FIELD_LABELS[i.field]}`, i.inventoryValue, i.sourceValue],
      }));
    case 'neverReached':
      return r.neverReached.map((i) => ({ key: i.key, cells: [i.hostName, i.address, ''] }));
    case 'notInSource':
      return r.notInSource.map((i) => ({ key: i.key, cells: [i.hostName, i.address, ''] }));
  }
}

const CATEGORY_COPY: Readonly<
  Record<Category, { title: string; explain: string; headers: [string, string, string] }>
> = {
  newHosts: {
    title: 'New hosts',
    explain: 'Rows that match no host in the inventory.',
    headers: ['Name', 'Address', 'Where'],
  },
  mismatches: {
    title: 'Different values',
    explain: 'Hosts whose inventory values differ from the file.',
    headers: ['Host and field', 'In the inventory', 'In the file'],
  },
  neverReached: {
    title: 'In the CMDB but never reached',
    explain: 'Hosts listed by this source that PatchDeck has never scanned successfully.',
    headers: ['Host', 'Address', ''],
  },
  notInSource: {
    title: 'Reached but not in the CMDB',
    explain: 'Hosts PatchDeck has scanned that this source does not list.',
    headers: ['Host', 'Address', ''],
  },
};

function CategorySection({
  category,
  r,
  decisions,
  onDecide,
}: {
  category: Category;
  r: Reconciliation;
  decisions: Record<string, Decision>;
  onDecide: (keys: string[], decision: Decision) => void;
}) {
  const rows = rowsOf(r, category);
  const copy = CATEGORY_COPY[category];
  const choices = CATEGORY_CHOICES[category];
  const titleId = useId();
  if (rows.length === 0) return null;
  const allKeys = rows.map((row) => row.key);
  return (
    <section
      className="reconcile-section"
      aria-labelledby={titleId}
      data-testid={`reconcile-${category}`}
    >
      <header className="reconcile-head">
        <div>
          <h3 id={titleId}>
            {copy.title}: {rows.length.toLocaleString()}
          </h3>
          <p className="muted">{copy.explain}</p>
        </div>
        <div className="bulk-choices" role="group" aria-label={`${copy.title}: decide for all`}>
          {choices.map((c) => (
            <Button
              key={c.value}
              size="small"
              variant={allKeys.every((k) => decisions[k] === c.value) ? 'primary' : 'secondary'}
              onClick={() => onDecide(allKeys, c.value)}
            >
              {c.label} all
            </Button>
          ))}
        </div>
      </header>
      <div className="table-wrap reconcile-wrap">
        <table className="data-table" aria-label={copy.title}>
          <thead>
            <tr>
              {copy.headers.map((h, i) => (
                <th key={i} scope="col">
                  {h}
                </th>
              ))}
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_LISTED).map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.cells[0]}</th>
                <td>{row.cells[1]}</td>
                <td>{row.cells[2]}</td>
                <td>
                  <select
                    aria-label={`Decision for ${row.cells[0]}`}
                    value={decisions[row.key] ?? DEFAULT_DECISION[category]}
                    onChange={(e) =>
                      onDecide(
                        [row.key],
                        choices.find((c) => c.value === e.target.value)?.value ??
                          DEFAULT_DECISION[category],
                      )
                    }
                  >
                    {choices.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > MAX_LISTED && (
        <p className="table-summary">
          Showing {MAX_LISTED} of {rows.length.toLocaleString()}; the buttons above decide for all
          of them.
        </p>
      )}
    </section>
  );
}

function ReconcileStep({
  r,
  fileName,
  onBack,
  onApplied,
}: {
  r: Reconciliation;
  fileName: string;
  onBack: () => void;
  onApplied: (result: ApplyResult) => void;
}) {
  const [decisions, setDecisions] = useState<Record<string, Decision>>(() => initialDecisions(r));
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const decide = (keys: string[], decision: Decision) =>
    setDecisions((d) => {
      const next = { ...d };
      for (const k of keys) next[k] = decision;
      return next;
    });
  const nothing =
    r.newHosts.length + r.mismatches.length + r.neverReached.length + r.notInSource.length === 0;
  const removals = Object.values(decisions).filter((d) => d === 'remove').length;

  const apply = async () => {
    setBusy(true);
    setFailure(undefined);
    const result = await runAction(
      'Applying the import',
      () =>
        api.call('imports.apply', {
          importId: r.importId,
          decisions: Object.entries(decisions).map(([key, decision]) => ({ key, decision })),
        }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (result) onApplied(result);
  };

  return (
    <div className="form">
      <FormError error={failure} />
      <p>
        {r.rowCount.toLocaleString()} row{r.rowCount === 1 ? '' : 's'} from{' '}
        <strong>{fileName}</strong>; {r.unchanged.toLocaleString()} already match the inventory
        exactly.
        {nothing && ' Nothing else needs a decision.'}
      </p>
      {(['newHosts', 'mismatches', 'neverReached', 'notInSource'] as const).map((category) => (
        <CategorySection
          key={category}
          category={category}
          r={r}
          decisions={decisions}
          onDecide={decide}
        />
      ))}
      {removals > 0 && (
        <p className="notice notice-warn" role="status">
          {removals.toLocaleString()} host{removals === 1 ? '' : 's'} will be removed from the
          inventory, with their scan history.
        </p>
      )}
      <div className="dialog-actions">
        <Button onClick={onBack} disabled={busy}>
          Back
        </Button>
        <Button variant="primary" busy={busy} busyLabel="Applying…" onClick={() => void apply()}>
          Apply import
        </Button>
      </div>
    </div>
  );
}

/** Props of ImportWizard. */
export type ImportWizardProps = { onClose: () => void };

/**
 * Import hosts from a CMDB export or an Nmap scan: choose the file, map its columns, decide
 * what to do with each difference, apply.
 */
export function ImportWizard({ onClose }: ImportWizardProps) {
  const [step, setStep] = useState(0);
  const [preview, setPreview] = useState<Preview>();
  const [source, setSource] = useState<FileSource>();
  const [reconciliation, setReconciliation] = useState<Reconciliation>();
  const [result, setResult] = useState<ApplyResult>();
  const [reloading, setReloading] = useState(false);
  const [sheet, setSheet] = useState<string>();

  const changeSheet = async (sheet: string) => {
    if (!preview || !source) return;
    setReloading(true);
    const next = await runAction('Reading the worksheet', () =>
      api.call('imports.preview', {
        format: source.format,
        source: { fileName: source.fileName, contentBase64: source.contentBase64 },
        sheet,
      }),
    );
    setReloading(false);
    if (next) {
      setSheet(sheet);
      setPreview({ ...next, sheets: preview.sheets });
    }
  };

  return (
    <Dialog title="Import hosts" onClose={onClose} wide>
      <Steps current={step} />
      {step === 0 && (
        <FileStep
          onClose={onClose}
          onPreview={(p, s) => {
            setPreview(p);
            setSource(s);
            setSheet(undefined);
            setStep(1);
          }}
        />
      )}
      {step === 1 && preview && reloading && <LoadingState label="Reading the worksheet…" />}
      {step === 1 && preview && !reloading && (
        <MappingStep
          key={preview.importId}
          preview={preview}
          fileName={source?.fileName ?? preview.sourceName}
          sheet={sheet}
          onSheet={(sheet) => void changeSheet(sheet)}
          onBack={() => setStep(0)}
          onReconciled={(r) => {
            setReconciliation(r);
            setStep(2);
          }}
        />
      )}
      {step === 2 && reconciliation && (
        <ReconcileStep
          r={reconciliation}
          fileName={source?.fileName ?? reconciliation.sourceName}
          onBack={() => setStep(1)}
          onApplied={(applied) => {
            setResult(applied);
            setStep(3);
            notifySuccess(
              'Import applied',
              `${applied.added.toLocaleString()} added, ${applied.updated.toLocaleString()} updated, ${applied.removed.toLocaleString()} removed.`,
            );
          }}
        />
      )}
      {step === 3 && result && (
        <div className="form" data-testid="import-result">
          <dl className="result-grid">
            <div>
              <dt>Added</dt>
              <dd>{result.added.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{result.updated.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Removed</dt>
              <dd>{result.removed.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Left for later</dt>
              <dd>{result.deferred.toLocaleString()}</dd>
            </div>
          </dl>
          <p>
            New hosts have not been contacted yet. Scan them next: PatchDeck will ask you to check
            each host key on first contact.
          </p>
          <div className="dialog-actions">
            <Button variant="primary" onClick={onClose} data-autofocus>
              Done
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
