import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { formatDuration } from './shared.js';

/** How long a job ran: from its start to its end, or until now while it runs. */
const Duration: React.FC<BasePropertyProps> = ({ property, record, where, resource }) => {
  const { translateProperty } = useTranslation();
  const started = record?.params?.startedAt ? new Date(record.params.startedAt).getTime() : undefined;
  const finished = record?.params?.finishedAt ? new Date(record.params.finishedAt).getTime() : undefined;
  const text = started === undefined ? '' : `${formatDuration((finished ?? Date.now()) - started)}${finished === undefined ? ' (running)' : ''}`;
  if (where === 'list') return <span>{text}</span>;
  return <ValueGroup label={translateProperty(property.label, resource.id)}>{text}</ValueGroup>;
};

export default Duration;
