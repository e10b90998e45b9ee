import { serverActionButton } from './server-action-button.js';

export const powerOn = serverActionButton({ code: 'poweron', label: 'Power on', action: 'poweron', expect: 'running', description: 'Starts the server and waits until it runs.' });
