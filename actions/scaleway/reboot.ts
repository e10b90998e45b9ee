import { serverActionButton } from './server-action-button.js';

export const reboot = serverActionButton({ code: 'reboot', label: 'Reboot', action: 'reboot', expect: 'running', description: 'Reboots the server and waits until it runs again.', confirm: 'Reboot' });
