import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { LocalTime } from './shared.js';

/** Dates on show pages: in the reader's locale and time zone. */
const LocalDateShow: React.FC<BasePropertyProps> = ({ property, record, resource }) => {
  const { translateProperty } = useTranslation();
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      <LocalTime value={record?.params?.[property.path]} />
    </ValueGroup>
  );
};

export default LocalDateShow;
