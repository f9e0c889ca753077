import { useEffect, useId, useState } from 'react';

import type { OpInput } from '../../../shared/api/contract';
import {
  DATA_SENSITIVITIES,
  ENVIRONMENTS,
  EXPOSURES,
  HostAddress,
  REGULATORY_TAGS,
  RemoteUser,
  TIER_MEANINGS,
  TIERS,
  type HostDetail,
  type Tier,
} from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { SelectField, TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

import { useCredentialsStore } from './credentials.store';

type Draft = {
  name: string;
  tier: Tier;
  environment: HostDetail['environment'];
  owner: string;
  businessService: string;
  dataSensitivity: HostDetail['dataSensitivity'];
  regulatoryTags: string[];
  customRegulatory: string;
  haGroup: string;
  networkZone: string;
  exposure: HostDetail['exposure'];
  tags: string;
  notes: string;
  address: string;
  port: string;
  username: string;
  credentialId: string;
  jumpHostId: string;
};

type Field = 'name' | 'address' | 'port' | 'username' | 'tags' | 'customRegulatory';

const STANDARD_TAGS: readonly string[] = REGULATORY_TAGS;

function toDraft(h: HostDetail): Draft {
  return {
    name: h.name,
    tier: h.tier,
    environment: h.environment,
    owner: h.owner,
    businessService: h.businessService,
    dataSensitivity: h.dataSensitivity,
    regulatoryTags: h.regulatoryTags.filter((t) => STANDARD_TAGS.includes(t)),
    customRegulatory: h.regulatoryTags.filter((t) => !STANDARD_TAGS.includes(t)).join(', '),
    haGroup: h.haGroup,
    networkZone: h.networkZone,
    exposure: h.exposure,
    tags: h.tags.join(', '),
    notes: h.notes,
    address: h.connection.address,
    port: String(h.connection.port),
    username: h.connection.username,
    credentialId: h.connection.credentialId ?? '',
    jumpHostId: h.connection.jumpHostId ?? '',
  };
}

function splitList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Only what changed, so the audit log records exactly what the operator edited. */
function changesOf(host: HostDetail, d: Draft): Omit<OpInput<'hosts.update'>, 'hostId'> {
  const out: Omit<OpInput<'hosts.update'>, 'hostId'> = {};
  if (d.name.trim() !== host.name) out.name = d.name.trim();
  if (d.tier !== host.tier) out.tier = d.tier;
  if (d.environment !== host.environment) out.environment = d.environment;
  if (d.owner.trim() !== host.owner) out.owner = d.owner.trim();
  if (d.businessService.trim() !== host.businessService) {
    out.businessService = d.businessService.trim();
  }
  if (d.dataSensitivity !== host.dataSensitivity) out.dataSensitivity = d.dataSensitivity;
  const regulatory = [
    ...REGULATORY_TAGS.filter((t) => d.regulatoryTags.includes(t)),
    ...splitList(d.customRegulatory).filter((t) => !STANDARD_TAGS.includes(t)),
  ];
  if (!same(regulatory, host.regulatoryTags)) out.regulatoryTags = regulatory;
  if (d.haGroup.trim() !== host.haGroup) out.haGroup = d.haGroup.trim();
  if (d.networkZone.trim() !== host.networkZone) out.networkZone = d.networkZone.trim();
  if (d.exposure !== host.exposure) out.exposure = d.exposure;
  const tags = splitList(d.tags);
  if (!same(tags, host.tags)) out.tags = tags;
  if (d.notes !== host.notes) out.notes = d.notes;
  if (d.address.trim() !== host.connection.address) out.address = d.address.trim();
  if (Number(d.port) !== host.connection.port) out.port = Number(d.port);
  if (d.username.trim() !== host.connection.username) out.username = d.username.trim();
  if ((d.credentialId || null) !== host.connection.credentialId) {
    out.credentialId = d.credentialId || null;
  }
  if ((d.jumpHostId || null) !== host.connection.jumpHostId) {
    out.jumpHostId = d.jumpHostId || null;
  }
  return out;
}

/** A SelectField whose value is one of the given options. */
function Select<T extends string>({
  label,
  value,
  options,
  onChange,
  hint,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  hint?: string;
}) {
  return (
    <SelectField
      label={label}
      hint={hint}
      value={value}
      onChange={(e) => onChange(options.find((o) => o.value === e.target.value)?.value ?? value)}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </SelectField>
  );
}

const cap = (s: string) => (s[0]?.toUpperCase() ?? '') + s.slice(1);

/** Props of HostSettingsForm. */
export type HostSettingsFormProps = {
  host: HostDetail;
  /** False for roles that may only read the inventory. */
  editable: boolean;
  onSaved: (host: HostDetail) => void;
};

/** What operators maintain about a host (tier, owner, tags…) and how PatchDeck reaches it. */
export function HostSettingsForm({ host, editable, onSaved }: HostSettingsFormProps) {
  const credentials = useCredentialsStore((s) => s.credentials);
  const loadCredentials = useCredentialsStore((s) => s.load);
  const [draft, setDraft] = useState<Draft>(() => toDraft(host));
  const [jumpHosts, setJumpHosts] = useState<{ id: string; name: string }[]>([]);
  const notesId = useId();

  useEffect(() => {
    void loadCredentials();
    let live = true;
    void runAction('Loading hosts to jump through', () =>
      api.call('hosts.list', { sort: { key: 'name', direction: 'asc' }, limit: 2000 }),
    ).then((page) => {
      if (live && page) setJumpHosts(page.hosts.map((h) => ({ id: h.id, name: h.name })));
    });
    return () => {
      live = false;
    };
  }, [loadCredentials]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const changes = changesOf(host, draft);
  const dirty = Object.keys(changes).length > 0;

  const validate = (): FieldErrors<Field> => {
    const found: FieldErrors<Field> = {};
    if (!draft.name.trim()) found.name = 'Enter a name.';
    const addr = HostAddress.safeParse(draft.address);
    if (!addr.success) found.address = addr.error.issues[0]?.message ?? 'Enter an address.';
    const user = RemoteUser.safeParse(draft.username);
    if (!user.success) found.username = user.error.issues[0]?.message ?? 'Enter a login name.';
    const p = Number(draft.port);
    if (!Number.isInteger(p) || p < 1 || p > 65_535) found.port = 'Use a port from 1 to 65535.';
    if (splitList(draft.tags).some((t) => t.length > 64))
      found.tags = 'Keep each tag under 64 characters.';
    if (splitList(draft.customRegulatory).some((t) => t.length > 64)) {
      found.customRegulatory = 'Keep each tag under 64 characters.';
    }
    return found;
  };

  const send = async (onError: (error: UserFacingError) => void) => {
    const saved = await runAction(
      `Saving ${host.name}`,
      () => api.call('hosts.update', { hostId: host.id, ...changes }),
      { notify: false, onError },
    );
    if (!saved) return false;
    notifySuccess(`${saved.name} saved`);
    onSaved(saved);
    setDraft(toDraft(saved));
    return false;
  };

  const { errors, failure, busy, onSubmit } = useFormSubmit<Field>({ validate, send });

  return (
    <form className="form host-settings" onSubmit={onSubmit} noValidate aria-label="Host settings">
      <FormError error={failure} />
      {!editable && (
        <p className="notice">
          Your roles can read these settings but not change them. Technicians and administrators
          can.
        </p>
      )}
      <fieldset className="form-section" disabled={!editable}>
        <legend>Criticality and ownership</legend>
        <div className="form-grid form-grid-3">
          <TextField
            label="Name"
            value={draft.name}
            onChange={(e) => set('name', e.target.value)}
            error={errors.name}
          />
          <Select
            label="Tier"
            value={String(draft.tier)}
            options={TIERS.map((t) => ({ value: String(t), label: TIER_MEANINGS[t].label }))}
            onChange={(v) => set('tier', TIERS.find((t) => String(t) === v) ?? 2)}
            hint={TIER_MEANINGS[draft.tier].meaning}
          />
          <Select
            label="Environment"
            value={draft.environment}
            options={ENVIRONMENTS.map((e) => ({ value: e, label: cap(e) }))}
            onChange={(v) => set('environment', v)}
          />
          <TextField
            label="Owner"
            value={draft.owner}
            onChange={(e) => set('owner', e.target.value)}
          />
          <TextField
            label="Business service"
            value={draft.businessService}
            onChange={(e) => set('businessService', e.target.value)}
          />
          <Select
            label="Data sensitivity"
            value={draft.dataSensitivity}
            options={DATA_SENSITIVITIES.map((d) => ({ value: d, label: cap(d) }))}
            onChange={(v) => set('dataSensitivity', v)}
          />
          <TextField
            label="HA group"
            value={draft.haGroup}
            onChange={(e) => set('haGroup', e.target.value)}
            hint="Hosts in one group are never rebooted all at once."
          />
          <TextField
            label="Network zone"
            value={draft.networkZone}
            onChange={(e) => set('networkZone', e.target.value)}
          />
          <Select
            label="Exposure"
            value={draft.exposure}
            options={EXPOSURES.map((x) => ({ value: x, label: cap(x) }))}
            onChange={(v) => set('exposure', v)}
          />
        </div>
        <fieldset className="choice-group">
          <legend>Regulatory tags</legend>
          <div className="choice-columns choice-columns-3">
            {REGULATORY_TAGS.map((t) => (
              <label key={t} className="choice">
                <input
                  type="checkbox"
                  checked={draft.regulatoryTags.includes(t)}
                  onChange={(e) =>
                    set(
                      'regulatoryTags',
                      e.target.checked
                        ? [...draft.regulatoryTags, t]
                        : draft.regulatoryTags.filter((x) => x !== t),
                    )
                  }
                />
                <span className="choice-label">{t}</span>
              </label>
            ))}
          </div>
          <TextField
            label="Other regulatory tags"
            value={draft.customRegulatory}
            onChange={(e) => set('customRegulatory', e.target.value)}
            hint="Comma-separated, e.g. ISO-27001, site-policy-7"
            error={errors.customRegulatory}
          />
        </fieldset>
        <TextField
          label="Tags"
          value={draft.tags}
          onChange={(e) => set('tags', e.target.value)}
          hint="Comma-separated labels for filtering, e.g. line-3, historian"
          error={errors.tags}
        />
        <div className="field">
          <label htmlFor={notesId}>Notes</label>
          <textarea
            id={notesId}
            rows={3}
            maxLength={10_000}
            value={draft.notes}
            onChange={(e) => set('notes', e.target.value)}
          />
        </div>
      </fieldset>
      <fieldset className="form-section" disabled={!editable}>
        <legend>Connection</legend>
        <div className="form-grid form-grid-3">
          <TextField
            label="Address"
            value={draft.address}
            onChange={(e) => set('address', e.target.value)}
            error={errors.address}
          />
          <TextField
            label="SSH port"
            inputMode="numeric"
            value={draft.port}
            onChange={(e) => set('port', e.target.value)}
            error={errors.port}
          />
          <TextField
            label="Login name"
            value={draft.username}
            onChange={(e) => set('username', e.target.value)}
            error={errors.username}
          />
          <Select
            label="Credential"
            value={draft.credentialId}
            options={[
              { value: '', label: 'SSH agent of this machine' },
              ...credentials.map((c) => ({ value: c.id, label: c.name })),
              ...(draft.credentialId && !credentials.some((c) => c.id === draft.credentialId)
                ? [{ value: draft.credentialId, label: 'A credential you cannot see' }]
                : []),
            ]}
            onChange={(v) => set('credentialId', v)}
          />
          <Select
            label="Jump host"
            value={draft.jumpHostId}
            options={[
              { value: '', label: 'None: connect directly' },
              ...jumpHosts
                .filter((h) => h.id !== host.id)
                .map((h) => ({ value: h.id, label: h.name })),
              ...(draft.jumpHostId && !jumpHosts.some((h) => h.id === draft.jumpHostId)
                ? [{ value: draft.jumpHostId, label: draft.jumpHostId }]
                : []),
            ]}
            onChange={(v) => set('jumpHostId', v)}
            hint="Another host in the inventory to reach this one through (ProxyJump)."
          />
        </div>
      </fieldset>
      {editable && (
        <div className="form-row">
          <Button type="submit" variant="primary" disabled={!dirty} busy={busy} busyLabel="Saving…">
            Save changes
          </Button>
          <Button variant="ghost" disabled={!dirty || busy} onClick={() => setDraft(toDraft(host))}>
            Discard changes
          </Button>
        </div>
      )}
    </form>
  );
}
