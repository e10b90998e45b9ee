import { serverActionButton } from './server-action-button.js';

export const powerOff = serverActionButton({
  code: 'poweroff',
  label: 'Power off',
  action: 'poweroff',
  expect: 'stopped',
  description: 'Stops the server and releases its hypervisor; local volumes are kept, the server is still billed for them.',
  confirm: 'Power off',
});
