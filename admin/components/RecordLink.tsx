import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { recordUrl } from './shared.js';

/**
 * The id of a record of another entity, as a link to it: the entity is fixed (`custom.entity`) or read from
 * the record's own `entity` field (a job's or an audit entry's record).
 */
const RecordLink: React.FC<BasePropertyProps> = ({ property, record, where, resource }) => {
  const { translateProperty } = useTranslation();
  const id = record?.params?.[property.path];
  const entity = (property.custom as { entity?: string } | undefined)?.entity ?? record?.params?.entity;
  const link = id && entity ? (
    <a href={recordUrl(String(entity), String(id))} data-testid={`link-${property.path}`} onClick={(e) => e.stopPropagation()}>
      {where === 'list' ? `${String(id).slice(0, 8)}…` : String(id)}
    </a>
  ) : null;
  if (where === 'list') return link;
  return <ValueGroup label={translateProperty(property.label, resource.id)}>{link}</ValueGroup>;
};

export default RecordLink;
