import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Muted } from './shared.js';

/** A write-only secret: the page only says whether one is stored (the server never sends the value). */
const SecretValue: React.FC<BasePropertyProps> = ({ property, record, resource }) => {
  const { translateProperty } = useTranslation();
  const set = String(record?.params?.secretsSet ?? '')
    .split(',')
    .map((name) => name.trim())
    .includes(property.path);
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      <span data-testid={`secret-${property.path}`} data-set={set}>
        {set ? '•••••••• (set)' : <Muted>not set</Muted>}
      </span>
    </ValueGroup>
  );
};

export default SecretValue;
