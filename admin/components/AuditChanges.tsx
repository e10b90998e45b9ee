import React from 'react';
import { Table, TableBody, TableCell, TableHead, TableRow, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Muted } from './shared.js';
import { parsed } from './JsonValue.js';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An audit entry's changes, field by field: before and after (secrets only as "[set]" or "[changed]"). */
const AuditChanges: React.FC<BasePropertyProps> = ({ property, record, resource }) => {
  const { translateProperty } = useTranslation();
  const changes = (parsed(record?.params?.[property.path]) as Record<string, { before?: unknown; after?: unknown }> | null) ?? {};
  const entries = Object.entries(changes);
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      {entries.length ? (
        <Table data-testid="audit-changes">
          <TableHead>
            <TableRow>
              <TableCell>Field</TableCell>
              <TableCell>Before</TableCell>
              <TableCell>After</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map(([field, change]) => (
              <TableRow key={field}>
                <TableCell>{field}</TableCell>
                <TableCell>{'before' in change ? show(change.before) : ''}</TableCell>
                <TableCell>{'after' in change ? show(change.after) : ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <Muted>No field changes.</Muted>
      )}
    </ValueGroup>
  );
};

export default AuditChanges;
