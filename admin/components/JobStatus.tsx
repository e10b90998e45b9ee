import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { StatusBadge } from './shared.js';

/** A job's status (or an action's outcome) as a coloured badge. */
const JobStatus: React.FC<BasePropertyProps> = ({ property, record, where, resource }) => {
  const { translateProperty } = useTranslation();
  const badge = <StatusBadge status={record?.params?.[property.path]} />;
  if (where === 'list') return badge;
  return <ValueGroup label={translateProperty(property.label, resource.id)}>{badge}</ValueGroup>;
};

export default JobStatus;
