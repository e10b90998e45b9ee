import React, { useEffect, useState } from 'react';
import { Box, ValueGroup } from '@adminjs/design-system';
import { useTranslation, ViewHelpers, type BasePropertyProps } from 'adminjs';
import { api, LocalTime, Muted, StatusBadge, type JobView } from './shared.js';

const h = new ViewHelpers();

/** On a record's page: its latest jobs, and a link to all of them in the Jobs list. */
const RecordJobs: React.FC<BasePropertyProps> = ({ property, record, resource }) => {
  const { translateProperty } = useTranslation();
  const [jobs, setJobs] = useState<{ jobs: JobView[]; total: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = record?.id;
  useEffect(() => {
    if (!id) return;
    api<{ jobs: JobView[]; total: number }>(`/records/${encodeURIComponent(resource.id)}/${encodeURIComponent(id)}/jobs`)
      .then(setJobs)
      .catch((error: Error) => setProblem(error.message));
  }, [id, resource.id, record?.params?.updatedAt]);
  const all = `${h.resourceUrl({ resourceId: 'Job' })}?filters.entity=${encodeURIComponent(resource.id)}&filters.recordId=${encodeURIComponent(id ?? '')}`;
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      <Box data-testid="record-jobs">
        {problem ? <Muted>{problem}</Muted> : null}
        {jobs && !jobs.jobs.length ? <Muted>No action has run on this record yet.</Muted> : null}
        {jobs?.jobs.length ? (
          <Box as="ul" mb="sm">
            {jobs.jobs.map((job) => (
              <li key={job.id}>
                <a href={h.recordActionUrl({ resourceId: 'Job', recordId: job.id, actionName: 'show' })}>{job.action}</a> <StatusBadge status={job.status} />{' '}
                <Muted>
                  {job.startedBy}, <LocalTime value={job.createdAt} />
                </Muted>
              </li>
            ))}
          </Box>
        ) : null}
        <Box mt="sm">
          <a href={all} data-testid="record-jobs-link">
            All jobs of this record{jobs ? ` (${jobs.total})` : ''}
          </a>
        </Box>
      </Box>
    </ValueGroup>
  );
};

export default RecordJobs;
