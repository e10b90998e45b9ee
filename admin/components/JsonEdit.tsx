import React, { useState } from 'react';
import { FormGroup, FormMessage, Label, TextArea } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { Muted } from './shared.js';
import { parsed } from './JsonValue.js';

/**
 * A JSON field as text: a list of strings one per line, anything else as indented JSON. The server parses
 * it and says what is wrong under the field.
 */
const JsonEdit: React.FC<EditPropertyProps> = ({ property, record, onChange, resource }) => {
  const { translateProperty } = useTranslation();
  const kind = (property.custom as { json?: string } | undefined)?.json ?? 'any';
  const value = parsed(record.params?.[property.path]);
  const [text, setText] = useState(() => {
    if (value === null || value === undefined || value === '') return '';
    if (kind === 'string[]' && Array.isArray(value)) return value.join('\n');
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  });
  const error = record.errors?.[property.path];
  const hint = kind === 'string[]' ? 'One value per line.' : kind === 'object' ? 'A JSON object, e.g. {"key": "value"}.' : 'JSON.';
  return (
    <FormGroup error={!!error}>
      <Label htmlFor={property.path} required={property.isRequired}>
        {translateProperty(property.label, resource.id)}
      </Label>
      <TextArea
        id={property.path}
        name={property.path}
        data-testid={`json-edit-${property.path}`}
        width={1}
        rows={Math.min(12, Math.max(3, text.split('\n').length + 1))}
        style={{ fontFamily: 'monospace' }}
        value={text}
        onChange={(event: any) => {
          setText(event.target.value);
          onChange(property.path, event.target.value);
        }}
      />
      <Muted>{[property.description, hint].filter(Boolean).join(' ')}</Muted>
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default JsonEdit;
