import React from 'react';
import { Box, Text, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Muted } from './shared.js';

/** Parses the JSON text the server sends for a JSON field. */
export function parsed(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const Value: React.FC<{ value: unknown; compact: boolean }> = ({ value, compact }) => {
  if (value === null || value === undefined) return <Muted>—</Muted>;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    if (!value.length) return <Muted>(empty list)</Muted>;
    return compact ? <span>{value.join(', ')}</span> : <Box as="ul" pl="lg">{value.map((item, i) => <li key={i}>{String(item)}</li>)}</Box>;
  }
  if (typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v !== 'object' || v === null)) {
    const entries = Object.entries(value);
    if (!entries.length) return <Muted>(empty)</Muted>;
    if (compact) return <span>{entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ')}</span>;
    return (
      <Box as="dl">
        {entries.map(([k, v]) => (
          <Box key={k} flex flexDirection="row" style={{ gap: 8 }}>
            <Text as="dt" fontWeight="bold">{k}</Text>
            <Text as="dd">{String(v)}</Text>
          </Box>
        ))}
      </Box>
    );
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, compact ? 0 : 2);
  return compact ? <span>{text.length > 80 ? `${text.slice(0, 80)}…` : text}</span> : <Box as="pre" style={{ whiteSpace: 'pre-wrap', fontFamily: 'monospace' }}>{text}</Box>;
};

/** A JSON field, readable: lists as lists, flat objects as key/value pairs, anything else as indented JSON. */
const JsonValue: React.FC<BasePropertyProps> = ({ property, record, where, resource }) => {
  const { translateProperty } = useTranslation();
  const value = parsed(record?.params?.[property.path]);
  if (where === 'list') return <Value value={value} compact />;
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      <Box data-testid={`json-${property.path}`}>
        <Value value={value} compact={false} />
      </Box>
    </ValueGroup>
  );
};

export default JsonValue;
