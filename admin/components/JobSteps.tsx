import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { ProgressBar, StepList, type JobStep } from './shared.js';
import { parsed } from './JsonValue.js';

/** A job's progress: the bar, then every step with its time and percentage. */
const JobSteps: React.FC<BasePropertyProps> = ({ property, record, resource }) => {
  const { translateProperty } = useTranslation();
  const steps = (parsed(record?.params?.[property.path]) as JobStep[] | null) ?? [];
  const percent = Number(record?.params?.percent ?? 0);
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      <ProgressBar percent={percent} status={String(record?.params?.status ?? '')} />
      <StepList steps={steps} testId="job-steps" />
    </ValueGroup>
  );
};

export default JobSteps;
