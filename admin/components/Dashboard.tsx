import React, { useEffect, useState } from 'react';
import { Badge, Box, H2, H4, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { ApiClient, ViewHelpers } from 'adminjs';
import { formatDuration, LocalTime, Muted, StatusBadge, type JobView } from './shared.js';

interface ResourceSummary {
  id: string;
  label: string;
  total: number;
  stateField: string | null;
  states: { value: string; count: number }[];
}

interface DashboardData {
  groups: { name: string; resources: ResourceSummary[] }[];
  recentJobs: JobView[];
  failedJobs: JobView[];
  failedTotal: number;
}

const h = new ViewHelpers();

const JobsTable: React.FC<{ jobs: JobView[]; testId: string; showError?: boolean }> = ({ jobs, testId, showError }) =>
  jobs.length ? (
    <Table width={1} data-testid={testId}>
      <TableHead>
        <TableRow>
          <TableCell>Action</TableCell>
          <TableCell>On</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>By</TableCell>
          <TableCell>When</TableCell>
          <TableCell>{showError ? 'Failure reason' : 'Duration'}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {jobs.map((job) => (
          <TableRow key={job.id}>
            <TableCell>
              <a href={h.recordActionUrl({ resourceId: 'Job', recordId: job.id, actionName: 'show' })}>{job.actionLabel ?? job.action}</a>
            </TableCell>
            <TableCell>
              {job.recordId ? (
                <a href={h.recordActionUrl({ resourceId: job.entity, recordId: job.recordId, actionName: 'show' })}>
                  {job.entityLabel ?? job.entity} {job.recordTitle ?? ''}
                </a>
              ) : (
                `${job.entityLabel ?? job.entity} list`
              )}
            </TableCell>
            <TableCell>
              <StatusBadge status={job.status} /> {job.status === 'running' ? `${job.percent}%` : null}
            </TableCell>
            <TableCell>{job.startedBy}</TableCell>
            <TableCell>
              <LocalTime value={job.createdAt} />
            </TableCell>
            <TableCell>{showError ? (job.error?.message ?? '') : formatDuration(job.durationMs)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  ) : (
    <Muted>None yet.</Muted>
  );

/** Resources per provider (navigation group) and state, the latest jobs and the latest failures. */
const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    new ApiClient()
      .getDashboard()
      .then((response: any) => setData(response.data))
      .catch((error: Error) => setProblem(error.message));
  }, []);

  if (problem) return <MessageBox m="xl" variant="danger" message={`The dashboard could not be loaded: ${problem}`} />;
  if (!data) return <Loader />;
  return (
    <Box p="xxl" data-testid="mv-dashboard">
      <H2>Infrastructure</H2>
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }} mb="xxl">
        {data.groups.map((group) => (
          <Box key={group.name} variant="container" width={['100%', '100%', '48%', '31%']} data-testid="mv-dashboard-group" data-group={group.name}>
            <H4>{group.name}</H4>
            {group.resources.map((resource) => (
              <Box key={resource.id} mb="lg" data-testid="mv-dashboard-resource" data-resource={resource.id}>
                <Box flex flexDirection="row" justifyContent="space-between">
                  <a href={h.resourceUrl({ resourceId: resource.id })}>{resource.label}</a>
                  <Text fontWeight="bold" data-testid="mv-dashboard-total">
                    {resource.total}
                  </Text>
                </Box>
                {resource.states.length ? (
                  <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 4 }} mt="sm">
                    {resource.states.map((state) => (
                      <a key={state.value} href={`${h.resourceUrl({ resourceId: resource.id })}?filters.${resource.stateField}=${encodeURIComponent(state.value)}`}>
                        <Badge size="sm" outline data-testid="mv-dashboard-state" data-state={state.value}>
                          {state.value}: {state.count}
                        </Badge>
                      </a>
                    ))}
                  </Box>
                ) : null}
              </Box>
            ))}
          </Box>
        ))}
      </Box>
      <Box variant="container" mb="xxl">
        <H4>Recent jobs</H4>
        <JobsTable jobs={data.recentJobs} testId="mv-recent-jobs" />
      </Box>
      <Box variant="container">
        <H4>
          Failed jobs{' '}
          <a href={`${h.resourceUrl({ resourceId: 'Job' })}?filters.status=failed`}>
            <Muted>({data.failedTotal} in all)</Muted>
          </a>
        </H4>
        <JobsTable jobs={data.failedJobs} testId="mv-failed-jobs" showError />
      </Box>
    </Box>
  );
};

export default Dashboard;
