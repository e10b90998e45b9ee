import { serverActionButton } from './server-action-button.js';

// Billed from the moment it runs: confirmed, as the other power actions.
export const powerOn = serverActionButton({ code: 'poweron', label: 'Power on', action: 'poweron', expect: 'running', description: 'Starts the server and waits until it runs.', confirm: 'Power on' });
