import React, { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import {
  Box,
  Button,
  CheckBox,
  FormGroup,
  FormMessage,
  Input,
  Label,
  Loader,
  MessageBox,
  Select,
  Text,
  TextArea,
} from '@adminjs/design-system';
import { ApiClient, BasePropertyComponent, useNotice, ViewHelpers, type ActionProps, type RecordJSON } from 'adminjs';
import type { RunActionCustom } from '../actions.js';
import { api, ApiProblem, failureText, FINAL, Muted, ProgressBar, StatusBadge, StepList, type JobView } from './shared.js';

interface ParamField {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'string[]' | 'json';
  label: string;
  description: string | null;
  required: boolean;
  enum: string[] | null;
  multiline: boolean;
  min: number | null;
  max: number | null;
  default: unknown;
  perRecord: boolean;
}

interface ActionForm {
  action: { code: string; label: string; kind: 'instance' | 'list' | 'bulk'; description: string | null };
  entity: { name: string; label: string };
  confirm: string | null;
  records: { id: string; title: string; applicable: true | string; confirm: string | null }[];
  params: ParamField[];
}

type Values = Record<string, string | boolean>;

const POLL_MS = 400;
const client = new ApiClient();
const h = new ViewHelpers();

/** A default as the form shows it: text for inputs, a boolean for checkboxes. */
function initialValue(field: ParamField): string | boolean {
  const value = field.default;
  if (field.type === 'boolean') return value === true;
  if (value === null || value === undefined) return '';
  if (field.type === 'string[]' && Array.isArray(value)) return value.join(', ');
  if (field.type === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** What is sent: empty fields are left out, so that the action's default applies. */
function paramsOf(fields: ParamField[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (value === '' || value === undefined) continue;
    out[field.name] = value;
  }
  return out;
}

const ParamInput: React.FC<{ field: ParamField; value: string | boolean; error?: string[]; disabled: boolean; onChange: (value: string | boolean) => void }> = ({
  field,
  value,
  error,
  disabled,
  onChange,
}) => {
  const id = `mv-param-${field.name}`;
  let input: React.ReactNode;
  if (field.type === 'boolean') {
    input = <CheckBox id={id} data-testid={id} checked={value === true} disabled={disabled} onChange={() => onChange(!(value === true))} />;
  } else if (field.enum) {
    const options = field.enum.map((v) => ({ value: v, label: v }));
    input = (
      <Box data-testid={id}>
        <Select
          inputId={id}
          isClearable={!field.required}
          isDisabled={disabled}
          options={options}
          value={options.find((o) => o.value === value) ?? null}
          onChange={(selected: any) => onChange(selected?.value ?? '')}
        />
      </Box>
    );
  } else if (field.multiline || field.type === 'json') {
    input = <TextArea id={id} data-testid={id} width={1} rows={field.type === 'json' ? 6 : 4} disabled={disabled} value={String(value)} onChange={(e: any) => onChange(e.target.value)} />;
  } else {
    const numeric = field.type === 'integer' || field.type === 'number';
    input = (
      <Input
        id={id}
        data-testid={id}
        width={1}
        type={numeric ? 'number' : 'text'}
        step={field.type === 'integer' ? 1 : undefined}
        min={field.min ?? undefined}
        max={field.max ?? undefined}
        disabled={disabled}
        value={String(value)}
        placeholder={field.perRecord ? 'computed for each record' : field.type === 'string[]' ? 'values separated by commas' : undefined}
        onChange={(e: any) => onChange(e.target.value)}
      />
    );
  }
  return (
    <FormGroup error={!!error?.length}>
      <Label htmlFor={id} required={field.required}>
        {field.label}
      </Label>
      {input}
      {field.description ? <Muted>{field.description}</Muted> : null}
      <FormMessage data-testid={`${id}-error`}>{error?.join('; ')}</FormMessage>
    </FormGroup>
  );
};

const JobProgress: React.FC<{ job: JobView; title: string; actionLabel: string }> = ({ job, title, actionLabel }) => {
  const last = job.steps[job.steps.length - 1];
  const done = FINAL.includes(job.status);
  return (
    <Box mb="xl" data-testid="mv-job" data-status={job.status} data-job-id={job.id}>
      <Box flex flexDirection="row" alignItems="center" mb="sm" style={{ gap: 8 }}>
        <Text fontWeight="bold">{title}</Text>
        <StatusBadge status={job.status} />
        <Text data-testid="mv-percent">{job.percent}%</Text>
        <a href={h.recordActionUrl({ resourceId: 'Job', recordId: job.id, actionName: 'show' })}>job details</a>
      </Box>
      <ProgressBar percent={job.percent} status={job.status} />
      {!done && last ? (
        <Text mt="sm" data-testid="mv-step">
          {last.message}
        </Text>
      ) : null}
      <StepList steps={job.steps} testId="mv-steps" />
      {done ? (
        job.status === 'succeeded' ? (
          <MessageBox mt="lg" variant="success" message={job.message || `${actionLabel} succeeded`} data-testid="mv-result" />
        ) : (
          <MessageBox mt="lg" variant="danger" message={failureText(actionLabel, job)} data-testid="mv-failure" />
        )
      ) : null}
    </Box>
  );
};

/**
 * The page of a module's action (Meveo's override-params popup and result message): the confirmation in
 * the action's own words, the parameters pre-filled with their defaults, then the job's live progress and
 * its result or failure reason, and the record(s) as they are now in the database.
 */
const RunAction: React.FC<ActionProps> = ({ action, resource, record, records }) => {
  const custom = action.custom as RunActionCustom;
  const targets: RecordJSON[] = record ? [record] : (records ?? []);
  const ids = targets.map((r) => r.id);
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [form, setForm] = useState<ActionForm | null>(null);
  const [values, setValues] = useState<Values>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [jobs, setJobs] = useState<JobView[] | null>(null);
  const [fresh, setFresh] = useState<RecordJSON[] | null>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    api<ActionForm>(`/actions/${encodeURIComponent(custom.entity)}/${encodeURIComponent(custom.action)}?ids=${ids.join(',')}`)
      .then((loaded) => {
        setForm(loaded);
        setValues(Object.fromEntries(loaded.params.map((p) => [p.name, initialValue(p)])));
      })
      .catch((error: Error) => setProblem(error.message));
    return () => {
      alive.current = false;
    };
  }, [custom.entity, custom.action, ids.join(',')]);

  const refresh = async () => {
    const loaded = await Promise.all(
      ids.map((recordId) => client.recordAction({ resourceId: resource.id, recordId, actionName: 'show' }).then((r) => r.data.record)),
    );
    if (alive.current) setFresh(loaded.filter(Boolean));
  };

  const follow = async (started: JobView[]) => {
    let current = started;
    while (alive.current && !current.every((job) => FINAL.includes(job.status))) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      try {
        current = (await api<{ jobs: JobView[] }>(`/jobs?ids=${current.map((j) => j.id).join(',')}`)).jobs;
        if (alive.current) setJobs(current);
      } catch (error) {
        if (alive.current) setProblem(`Lost track of the job: ${(error as Error).message}`);
        return;
      }
    }
    if (!alive.current) return;
    const failed = current.filter((job) => job.status !== 'succeeded');
    const label = form?.action.label ?? custom.action;
    addNotice(
      failed.length
        ? { message: current.length === 1 ? failureText(label, failed[0]) : `${label}: ${failed.length} of ${current.length} failed`, type: 'error' }
        : { message: current.length === 1 ? (current[0].message ?? `${label} succeeded`) : `${label} succeeded on ${current.length} records`, type: 'success' },
    );
    if (ids.length) await refresh().catch(() => undefined);
  };

  const start = async () => {
    if (!form) return;
    setStarting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const { jobs: started } = await api<{ jobs: JobView[] }>(`/actions/${encodeURIComponent(custom.entity)}/${encodeURIComponent(custom.action)}`, {
        ids,
        params: paramsOf(form.params, values),
      });
      setJobs(started);
      await follow(started);
    } catch (error) {
      setProblem((error as Error).message);
      if (error instanceof ApiProblem) setFieldErrors(error.fields);
    } finally {
      if (alive.current) setStarting(false);
    }
  };

  const back = () =>
    navigate(record ? h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }) : h.resourceUrl({ resourceId: resource.id }));

  if (!form && !problem) return <Loader />;
  const titles = new Map(form?.records.map((r) => [r.id, r.title]) ?? []);
  const blocked = form?.records.filter((r) => r.applicable !== true) ?? [];
  const started = jobs !== null;
  const finished = started && jobs!.every((job) => FINAL.includes(job.status));
  const perRecordConfirm = !form?.confirm && form?.records.some((r) => r.confirm);

  return (
    <Box variant="container" data-testid="mv-action" data-action={custom.action}>
      {form?.action.description ? <Text mb="lg">{form.action.description}</Text> : null}
      {form && form.records.length === 1 ? (
        <Text mb="lg" data-testid="mv-targets">
          On {form.entity.label} <b>{form.records[0].title}</b>
        </Text>
      ) : null}
      {form && form.records.length > 1 ? (
        <Text mb="lg" data-testid="mv-targets">
          On {form.records.length} {form.entity.label} records: {form.records.map((r) => r.title).join(', ')}
        </Text>
      ) : null}
      {blocked.map((r) => (
        <MessageBox key={r.id} mb="lg" variant="warning" message={`${form!.action.label} does not apply to ${r.title}: ${r.applicable}`} data-testid="mv-not-applicable" />
      ))}
      {!started && form?.confirm ? <MessageBox mb="lg" variant="warning" message={form.confirm} data-testid="mv-confirm" /> : null}
      {!started && perRecordConfirm ? (
        <MessageBox mb="lg" variant="warning" message="Please confirm:" data-testid="mv-confirm">
          {form!.records.filter((r) => r.confirm).map((r) => (
            <Text key={r.id}>{r.confirm}</Text>
          ))}
        </MessageBox>
      ) : null}
      {form && form.params.length ? (
        <Box mb="lg" data-testid="mv-params">
          {form.params.map((field) => (
            <ParamInput
              key={field.name}
              field={field}
              value={values[field.name] ?? ''}
              error={fieldErrors[field.name]}
              disabled={started || starting}
              onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
            />
          ))}
        </Box>
      ) : null}
      {problem ? <MessageBox mb="lg" variant="danger" message={problem} data-testid="mv-error" /> : null}
      {!started && form ? (
        <Box flex flexDirection="row" style={{ gap: 8 }} mb="xl">
          <Button variant="contained" type="button" disabled={starting || blocked.length === form.records.length && form.records.length > 0} onClick={start} data-testid="mv-run">
            {form.confirm || perRecordConfirm ? 'Confirm' : 'Run'} {form.action.label}
          </Button>
          <Button variant="outlined" type="button" onClick={back} data-testid="mv-cancel">
            Cancel
          </Button>
        </Box>
      ) : null}
      {jobs?.map((job) => (
        <JobProgress key={job.id} job={job} title={job.recordId ? (titles.get(job.recordId) ?? job.recordId) : (form?.entity.label ?? '')} actionLabel={form?.action.label ?? custom.action} />
      ))}
      {fresh?.length ? (
        <Box mt="xl" data-testid="mv-refreshed">
          <Text fontWeight="bold" mb="lg">
            Now in the database
          </Text>
          {fresh.map((item) => (
            <Box key={item.id} mb="xl" data-testid="mv-refreshed-record" data-id={item.id}>
              {resource.showProperties.map((property) => (
                <BasePropertyComponent key={property.propertyPath} where="show" property={property} resource={resource} record={item} />
              ))}
            </Box>
          ))}
        </Box>
      ) : null}
      {finished ? (
        <Button variant="outlined" type="button" onClick={back} data-testid="mv-back">
          {record ? 'Back to the record' : 'Back to the list'}
        </Button>
      ) : null}
    </Box>
  );
};

export default RunAction;
