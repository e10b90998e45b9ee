import { serverActionButton } from './server-action-button.js';

export const stopInPlace = serverActionButton({
  code: 'stopInPlace',
  label: 'Stop in place',
  action: 'stop_in_place',
  expect: 'stopped in place',
  description: 'Stops the server but keeps it on its hypervisor (faster to start again; still billed).',
  confirm: 'Stop in place',
});
